/**
 * Target `app`: every endpoint in one function, for the single-service
 * topology (DESIGN §6).
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction} from '../../shared/http';
import type {Deps} from '../deps';
import {makeRolesRoutes} from '../roles';

export function makeAppFunction(deps: Deps): HttpFunction {
  return makeHttpFunction({
    routes: [...makeRolesRoutes(deps)],
    verifier: deps.verifier(),
    log: deps.log,
    projectId: deps.config.projectId,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
}

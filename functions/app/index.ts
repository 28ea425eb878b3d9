/**
 * Target `app`: every endpoint in one function, for the single-service
 * topology (DESIGN §6).
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction} from '../../shared/http';
import type {Deps} from '../deps';
import {makeActivateRoutes} from '../activate';
import {makeApproveRoutes} from '../approve';
import {makeRolesRoutes} from '../roles';
import {makeWebRoutes} from '../web';

export function makeAppFunction(deps: Deps): HttpFunction {
  return makeHttpFunction({
    routes: [
      ...makeRolesRoutes(deps),
      ...makeActivateRoutes(deps),
      ...makeApproveRoutes(deps),
      ...makeWebRoutes(deps),
    ],
    verifier: deps.verifier(),
    log: deps.log,
    projectId: deps.config.projectId,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
}

/**
 * Target `roles`: the policy, the caller's projects, roles and peers.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, Route} from '../../shared/http';
import type {Deps} from '../deps';
import {makePolicyRoute} from './policy-route';

export function makeRolesRoutes(deps: Deps): Route[] {
  return [makePolicyRoute(deps.config)];
}

export function makeRolesFunction(deps: Deps): HttpFunction {
  return makeHttpFunction({
    routes: makeRolesRoutes(deps),
    verifier: deps.verifier(),
    log: deps.log,
    projectId: deps.config.projectId,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
}

/**
 * Target `roles`: the policy, the caller's projects, roles and peers.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, Route} from '../../shared/http';
import type {Deps} from '../deps';
import {makePolicyRoute} from './policy-route';
import {makeRolesApiRoutes} from './routes';

export function makeRolesRoutes(deps: Deps): Route[] {
  return [
    makePolicyRoute(deps.config),
    ...makeRolesApiRoutes({
      eligibility: deps.eligibility,
      pendingRequests: (user, project) =>
        deps.approvals().pendingRequestsFor(user, project),
    }),
  ];
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

/**
 * Target `activate`: self-approved activation, and requests for approval
 * (DESIGN §2). The only function besides `approve` that writes IAM policies.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, Route} from '../../shared/http';
import type {Deps} from '../deps';
import {makeRequestRoute} from './request-route';
import {makeSelfActivateRoute} from './self-activate-route';

/** The routes of `activate`, also served by `app`. */
export function makeActivateRoutes(deps: Deps): Route[] {
  return [
    makeSelfActivateRoute({
      config: deps.config,
      eligibility: deps.eligibility(),
      activator: deps.activator(),
    }),
    makeRequestRoute(deps),
  ];
}

/** Target `activate`: IAP first, then the routes above. */
export function makeActivateFunction(deps: Deps): HttpFunction {
  return makeHttpFunction({
    routes: makeActivateRoutes(deps),
    verifier: deps.verifier(),
    log: deps.log,
    projectId: deps.config.projectId,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
}

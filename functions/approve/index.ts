/**
 * Target `approve`: requests for approval, and the decisions on them
 * (DESIGN §2). Writes IAM policies when an approval completes the count.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, Route} from '../../shared/http';
import type {Deps} from '../deps';
import {makeApproveRoutesOver} from './routes';

/** The routes of `approve`, also served by `app`. */
export function makeApproveRoutes(deps: Deps): Route[] {
  return makeApproveRoutesOver(deps.approvals);
}

export function makeApproveFunction(deps: Deps): HttpFunction {
  return makeHttpFunction({
    routes: makeApproveRoutes(deps),
    verifier: deps.verifier(),
    log: deps.log,
    projectId: deps.config.projectId,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
}

/**
 * The deployable targets, in one table: each is the list of routes it
 * serves. `app` serves them all, for the single-service topology
 * (docs/design.md §6). Deploy one with `--function <target>` (Cloud Run) or
 * serve one locally with `functions-framework --target=<target>`.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, type Route} from '../shared/http';
import {makeActivateRoutes} from './activate/routes';
import {makeApproveRoutes} from './approve/routes';
import {makeRolesRoutes} from './roles/routes';
import type {Services} from './services';
import {makeWebRoutes} from './web/routes';

export const TARGETS = {
  /** The policy, the caller's projects, roles and peers. */
  roles: makeRolesRoutes,
  /** Self-approved activation and requests for approval. */
  activate: makeActivateRoutes,
  /** Requests for approval, and the decisions on them. */
  approve: makeApproveRoutes,
  /** The single-page UI and the request page that mail links open. */
  web: makeWebRoutes,
  /** Everything above in one function. */
  app: (services: Services): Route[] => [
    ...makeRolesRoutes(services),
    ...makeActivateRoutes(services),
    ...makeApproveRoutes(services),
    ...makeWebRoutes(),
  ],
} satisfies Record<string, (services: Services) => Route[]>;

export type TargetName = keyof typeof TARGETS;

/** Builds a target: IAP first, then its routes. */
export function buildTarget(
  name: TargetName,
  services: Services,
): HttpFunction {
  return makeHttpFunction({
    routes: TARGETS[name](services),
    verifier: services.verifier(),
    log: services.log,
    projectId: services.config.projectId,
    rateLimitPerMinute: services.config.rateLimitPerMinute,
  });
}

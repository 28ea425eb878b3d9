/**
 * The deployable targets, in one table: each is the route groups it serves.
 * `app` serves them all, for the single-service topology (docs/design.md
 * §6). Deploy one with `--function <target>` (Cloud Run) or serve one locally
 * with `functions-framework --target=<target>`.
 *
 * A target's route modules are loaded when it is built, on its first
 * request, so an instance loads only the code of the target it serves.
 */
import type {HttpFunction} from '@google-cloud/functions-framework';
import {makeHttpFunction, type Route} from '../shared/http';
import type {Services} from './services';

type RouteFactory = (services: Services) => Route[];

/** Each group of routes, in its own module. */
const ROUTE_GROUPS = {
  /** The policy, the caller's projects, roles and peers. */
  roles: async (): Promise<RouteFactory> =>
    (await import('./roles/routes')).makeRolesRoutes,
  /** Self-approved activation and requests for approval. */
  activate: async (): Promise<RouteFactory> =>
    (await import('./activate/routes')).makeActivateRoutes,
  /** Requests for approval, and the decisions on them. */
  approve: async (): Promise<RouteFactory> =>
    (await import('./approve/routes')).makeApproveRoutes,
  /** Grant records, revoke, and reconciliation run by an auditor. */
  grants: async (): Promise<RouteFactory> =>
    (await import('./grants/routes')).makeGrantRoutes,
  /** Reconciliation, as Cloud Scheduler calls it (no IAP). */
  reconcile: async (): Promise<RouteFactory> =>
    (await import('./reconcile/routes')).makeReconcileRoutes,
  /** The Google Chat app's endpoint (no IAP: Chat's own token). */
  chat: async (): Promise<RouteFactory> =>
    (await import('./chat/routes')).makeChatRoutes,
  /** The single-page UI and the request page that mail links open. */
  web: async (): Promise<RouteFactory> =>
    (await import('./web/routes')).makeWebRoutes,
};

type RouteGroup = keyof typeof ROUTE_GROUPS;

/** Every target serves the health checks (functions/health/routes.ts). */
const HEALTH_ROUTES = async (): Promise<RouteFactory> =>
  (await import('./health/routes')).makeHealthRoutes;

/** The targets and the route groups each serves. */
export const TARGETS = {
  roles: ['roles'],
  activate: ['activate', 'grants'],
  approve: ['approve'],
  web: ['web'],
  reconcile: ['reconcile'],
  chat: ['chat'],
  app: ['roles', 'activate', 'approve', 'grants', 'web'],
} as const satisfies Record<string, readonly RouteGroup[]>;

export type TargetName = keyof typeof TARGETS;

/**
 * Whose token a target checks before its routes: IAP's, except for `chat`,
 * which Google Chat calls with its own (shared/chat/verifier.ts).
 */
function verifierOf(name: TargetName, services: Services) {
  return name === 'chat'
    ? async () => {
        if (!services.chat) throw new Error('Google Chat is not wired');
        return services.chat.verifier();
      }
    : () => services.verifier();
}

/** Builds a target: its verifier first, then its routes. */
export async function buildTarget(
  name: TargetName,
  services: Services,
): Promise<HttpFunction> {
  const factories = await Promise.all([
    HEALTH_ROUTES(),
    ...TARGETS[name].map(group => ROUTE_GROUPS[group]()),
  ]);
  const verifier = verifierOf(name, services);
  return makeHttpFunction({
    routes: factories.flatMap(make => make(services)),
    // The verifier is built on the first request that needs an identity.
    verifier: {
      verify: async headers => (await verifier()).verify(headers),
    },
    log: services.log,
    projectId: services.config.projectId,
    rateLimitPerMinute: services.config.rateLimitPerMinute,
  });
}

/**
 * `GET /api/projects`, `GET /api/projects/{project}/roles` and
 * `GET /api/projects/{project}/peers` (DESIGN §2.1), each an audit event
 * (`api.listProjects`, `api.listEligibleRoles`, `api.listPeers`) with the
 * user, the project and the outcome.
 */
import {AppError, InvalidArgumentError} from '../../shared/errors';
import type {Route, RouteContext} from '../../shared/http';
import type {LogLabels} from '../../shared/log';
import {normaliseResourceCondition} from '../../shared/eligibility/conditions';
import {entitlementKey} from '../../shared/eligibility/entitlements';
import {
  isValidProjectId,
  isValidRoleName,
} from '../../shared/eligibility/names';
import type {
  EligibilityService,
  Entitlement,
  EntitlementId,
} from '../../shared/eligibility/types';

/** One of the caller's requests that waits for approval. */
export interface PendingRequest extends EntitlementId {
  requestId: string;
}

/** The caller's pending requests on a project (provided by the approvals code). */
export type PendingRequestsLookup = (
  userEmail: string,
  projectId: string,
) => Promise<PendingRequest[]>;

/** What the eligibility routes are built over. */
export interface RolesApiDeps {
  /** Resolved on the first request, so that building the routes loads no client library. */
  eligibility: () => EligibilityService;
  /** Marks entitlements PENDING_APPROVAL; without it none are. */
  pendingRequests?: PendingRequestsLookup;
}

const MAX_CONDITION_LENGTH = 4096;

function projectParam(ctx: RouteContext): string {
  const project = ctx.params['project'] ?? '';
  if (!isValidProjectId(project)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(project.slice(0, 100))} is not a valid project ID`,
    );
  }
  return project;
}

/** The result of the audit event: `allowed`, or the error's status. */
function outcomeOf(err: unknown): string {
  return err instanceof AppError ? err.status : 'INTERNAL';
}

/** Runs `work` and logs the audit event with its outcome, success or not. */
async function audited<T>(
  ctx: RouteContext,
  event: string,
  labels: LogLabels,
  work: () => Promise<T>,
  describe: (result: T) => Record<string, unknown>,
): Promise<T> {
  const base = {event, user: ctx.user.email, ...labels};
  try {
    const result = await work();
    ctx.log.info(
      `${event}: ${ctx.user.email}`,
      {...base, outcome: 'allowed'},
      describe(result),
    );
    return result;
  } catch (err) {
    ctx.log.notice(`${event}: ${ctx.user.email} refused`, {
      ...base,
      outcome: outcomeOf(err),
    });
    throw err;
  }
}

/** Marks the entitlements that wait for approval (an ACTIVE one stays ACTIVE). */
export function markPending(
  entitlements: Entitlement[],
  pending: PendingRequest[],
): Entitlement[] {
  const byKey = new Map(pending.map(p => [entitlementKey(p), p.requestId]));
  return entitlements.map(e => {
    const requestId = byKey.get(entitlementKey(e));
    if (requestId === undefined || e.status === 'ACTIVE') return e;
    return {...e, status: 'PENDING_APPROVAL', requestId};
  });
}

/** The three eligibility routes of the `roles` function. */
export function makeRolesApiRoutes(deps: RolesApiDeps): Route[] {
  if (typeof deps.eligibility !== 'function') {
    throw new Error('the roles routes need an eligibility getter');
  }
  const {pendingRequests} = deps;

  // Roles stay listable when the request store is unavailable: the statuses
  // then lack PENDING_APPROVAL, and a warning says so.
  async function pendingOf(
    ctx: RouteContext,
    project: string,
  ): Promise<{requests: PendingRequest[]; warnings: string[]}> {
    if (!pendingRequests) return {requests: [], warnings: []};
    try {
      return {
        requests: await pendingRequests(ctx.user.email, project),
        warnings: [],
      };
    } catch (err) {
      ctx.log.warn(
        'Pending requests could not be read',
        {event: 'api.listEligibleRoles.pending', project},
        {error: err},
      );
      return {
        requests: [],
        warnings: [
          'Pending approval requests could not be read; statuses may be out of date',
        ],
      };
    }
  }
  const eligibility = {
    listProjects: (u: string) => deps.eligibility().listProjects(u),
    listEntitlements: (u: string, p: string) =>
      deps.eligibility().listEntitlements(u, p),
    listPeers: (u: string, p: string, e: EntitlementId) =>
      deps.eligibility().listPeers(u, p, e),
  };
  return [
    {
      method: 'GET',
      path: '/api/projects',
      handle: async ctx => {
        const projects = await audited(
          ctx,
          'api.listProjects',
          {},
          () => eligibility.listProjects(ctx.user.email),
          list => ({projectCount: list.length}),
        );
        return {body: {projects}};
      },
    },
    {
      method: 'GET',
      path: '/api/projects/{project}/roles',
      handle: async ctx => {
        const project = projectParam(ctx);
        const set = await audited(
          ctx,
          'api.listEligibleRoles',
          {project},
          async () => {
            const [found, pending] = await Promise.all([
              eligibility.listEntitlements(ctx.user.email, project),
              pendingOf(ctx, project),
            ]);
            return {
              entitlements: markPending(found.entitlements, pending.requests),
              warnings: [...found.warnings, ...pending.warnings],
            };
          },
          s => ({
            entitlements: s.entitlements.map(e => ({
              role: e.role,
              resourceCondition: e.resourceCondition,
              activationType: e.activationType,
              status: e.status,
            })),
            warnings: s.warnings,
          }),
        );
        return {body: {roles: set.entitlements, warnings: set.warnings}};
      },
    },
    {
      method: 'GET',
      path: '/api/projects/{project}/peers',
      handle: async ctx => {
        const project = projectParam(ctx);
        const role = ctx.query['role'] ?? '';
        if (!isValidRoleName(role)) {
          throw new InvalidArgumentError(
            role
              ? `${JSON.stringify(role.slice(0, 100))} is not a valid role name`
              : 'The query parameter role is required',
          );
        }
        const condition = ctx.query['resourceCondition'];
        if (
          condition !== undefined &&
          condition.length > MAX_CONDITION_LENGTH
        ) {
          throw new InvalidArgumentError('The resource condition is too long');
        }
        const entitlement: EntitlementId = {role};
        // Compared in upstream's printed form, as GET roles returns it and
        // as request bodies are read: `x>1` names the same entitlement as `x > 1`.
        if (condition)
          entitlement.resourceCondition = normaliseResourceCondition(condition);
        const peers = await audited(
          ctx,
          'api.listPeers',
          {project, role},
          () => eligibility.listPeers(ctx.user.email, project, entitlement),
          list => ({resourceCondition: condition, peerCount: list.length}),
        );
        return {body: {peers}};
      },
    },
  ];
}

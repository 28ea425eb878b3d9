/**
 * What a user may see before acting: their projects, their entitlements on a
 * project (with the ones waiting for approval marked), and the peers who may
 * approve an entitlement. Each call is an audit event (`api.listProjects`,
 * `api.listEligibleRoles`, `api.listPeers`) with the user, the project and
 * the outcome.
 */
import {audited} from '../audit';
import type {Logger} from '../log';
import {describeEntitlement, entitlementKey} from './entitlement-ref';
import type {
  EligibilityService,
  Entitlement,
  EntitlementId,
  EntitlementSet,
} from './types';

/** One of the user's requests that waits for approval. */
export interface PendingRequest extends EntitlementId {
  requestId: string;
}

/** The user's pending requests on a project (the approvals service answers it). */
export type PendingRequestsLookup = (
  userEmail: string,
  projectId: string,
) => Promise<PendingRequest[]>;

export interface EntitlementListing {
  listProjects(user: string): Promise<string[]>;
  /**
   * The user's entitlements on a project. Should the pending requests be
   * unreadable, the roles are still listed, with a warning that their
   * statuses may lack PENDING_APPROVAL.
   */
  listRoles(user: string, project: string): Promise<EntitlementSet>;
  listPeers(
    user: string,
    project: string,
    entitlement: EntitlementId,
  ): Promise<string[]>;
}

export interface EntitlementListingDeps {
  eligibility: EligibilityService;
  /** Marks entitlements PENDING_APPROVAL; without it none are. */
  pendingRequests?: PendingRequestsLookup;
  log: Logger;
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

export function makeEntitlementListing(
  deps: EntitlementListingDeps,
): EntitlementListing {
  const {eligibility, pendingRequests, log} = deps;
  if (!eligibility || !log) {
    throw new Error('the entitlement listing needs eligibility and a logger');
  }

  async function pendingOf(
    user: string,
    project: string,
  ): Promise<{requests: PendingRequest[]; warnings: string[]}> {
    if (!pendingRequests) return {requests: [], warnings: []};
    try {
      return {requests: await pendingRequests(user, project), warnings: []};
    } catch (err) {
      log.warn(
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

  return {
    listProjects: user =>
      audited(
        log,
        'api.listProjects',
        {labels: {user}},
        () => eligibility.listProjects(user),
        list => ({fields: {projectCount: list.length}}),
      ),

    listRoles: (user, project) =>
      audited(
        log,
        'api.listEligibleRoles',
        {labels: {user, project}},
        async () => {
          const [found, pending] = await Promise.all([
            eligibility.listEntitlements(user, project),
            pendingOf(user, project),
          ]);
          return {
            entitlements: markPending(found.entitlements, pending.requests),
            warnings: [...found.warnings, ...pending.warnings],
          };
        },
        set => ({
          fields: {
            entitlements: set.entitlements.map(e => ({
              role: e.role,
              resourceCondition: e.resourceCondition,
              activationType: e.activationType,
              status: e.status,
            })),
            warnings: set.warnings,
          },
        }),
      ),

    listPeers: (user, project, entitlement) =>
      audited(
        log,
        'api.listPeers',
        {
          labels: {user, project, role: entitlement.role},
          fields: {entitlement: describeEntitlement(entitlement)},
        },
        () => eligibility.listPeers(user, project, entitlement),
        list => ({fields: {peerCount: list.length}}),
      ),
  };
}

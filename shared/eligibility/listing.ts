/**
 * What a user may see before acting: their projects, their entitlements on a
 * project (with the ones waiting for approval marked), and the peers who may
 * approve an entitlement. Each call is an audit event (`api.listProjects`,
 * `api.listEligibleRoles`, `api.listPeers`) with the user, the project and
 * the outcome.
 */
import {audited} from '../audit';
import {makeCircuitBreaker} from '../circuit-breaker';
import {UnavailableError} from '../errors';
import type {Logger} from '../log';
import {withTimeout} from '../timeout';
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
   * unreadable or late (see PENDING_LOOKUP_TIMEOUT_MS), the roles are still
   * listed, with a warning that their statuses may lack PENDING_APPROVAL.
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
  /** Default PENDING_LOOKUP_TIMEOUT_MS. */
  pendingTimeoutMs?: number;
  /** Default LISTING_DEADLINE_MS. */
  deadlineMs?: number;
  /** Default PENDING_LOOKUP_BREAKER. */
  pendingBreaker?: {threshold: number; cooldownMs: number};
  /**
   * Milliseconds since the epoch, for the breaker and the time left to
   * wait; Date.now by default.
   */
  now?: () => number;
}

/**
 * How long a roles listing waits for the pending requests, counted from the
 * lookup's start, or until the roles themselves are listed if that takes
 * longer (waiting beside Cloud Asset costs the user nothing). A working
 * Firestore answers in a fraction of it; a stalled one no longer holds the
 * listing for the store's own 15 s deadline.
 */
export const PENDING_LOOKUP_TIMEOUT_MS = 1_500;

/**
 * After 3 failed or late lookups in a row, the listings of the next 30 s do
 * not ask (one Firestore outage should not cost every listing 1.5 s).
 */
export const PENDING_LOOKUP_BREAKER = {
  threshold: 3,
  cooldownMs: 30_000,
} as const;

/**
 * The longest a listing waits for Google. Each Google call has its own 30 s
 * deadline, but a listing may make several in a row (group memberships a
 * page at a time, then the policies): past this the caller gets 503 rather
 * than an answer after a client, a load balancer or a person gave up.
 */
export const LISTING_DEADLINE_MS = 45_000;

const PENDING_WARNING =
  'Pending approval requests could not be read; statuses may be out of date';

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

  const now = deps.now ?? Date.now;
  const timeoutMs = deps.pendingTimeoutMs ?? PENDING_LOOKUP_TIMEOUT_MS;
  const deadlineMs = deps.deadlineMs ?? LISTING_DEADLINE_MS;
  /** `read` within the listing deadline, or 503 naming what was slow. */
  const bounded = <T>(read: Promise<T>, what: string) =>
    withTimeout(
      read,
      deadlineMs,
      () =>
        new UnavailableError(
          `${what} could not be read within ${deadlineMs / 1000} s: Google APIs are slow to answer; try again`,
        ),
    );
  const breakerOptions = deps.pendingBreaker ?? PENDING_LOOKUP_BREAKER;
  // One per instance: what it learns from one listing spares the next ones.
  const breaker = makeCircuitBreaker({
    ...breakerOptions,
    now,
    onOpen: failures =>
      log.warn(
        `Pending requests are not read for ${breakerOptions.cooldownMs / 1000} s after ${failures} failures in a row`,
        {event: 'pendingRequests.circuitOpen'},
        {failures, cooldownMs: breakerOptions.cooldownMs},
      ),
    onClose: () =>
      log.info('Pending requests are read again', {
        event: 'pendingRequests.circuitClosed',
      }),
  });
  const unread = () => ({requests: [], warnings: [PENDING_WARNING]});

  /**
   * The user's pending requests, or none and the warning when they could
   * not be read in time. `listed` settles with the roles themselves: until
   * then waiting costs nothing, so the lookup has at least that long.
   */
  async function pendingOf(
    user: string,
    project: string,
    listed: Promise<unknown>,
  ): Promise<{requests: PendingRequest[]; warnings: string[]}> {
    if (!pendingRequests) return {requests: [], warnings: []};
    if (!breaker.allows()) return unread();
    const started = now();
    try {
      const lookup = pendingRequests(user, project);
      // Should the roles fail first, nobody awaits the lookup.
      lookup.catch(() => {});
      await listed.catch(() => {});
      const left = Math.max(0, timeoutMs - (now() - started));
      const requests = await withTimeout(
        lookup,
        left,
        () =>
          new UnavailableError(
            `Pending requests were not read within ${timeoutMs / 1000} s`,
          ),
      );
      breaker.succeeded();
      return {requests, warnings: []};
    } catch (err) {
      log.warn(
        'Pending requests could not be read',
        {event: 'api.listEligibleRoles.pending', project},
        {error: err},
      );
      breaker.failed();
      return unread();
    }
  }

  return {
    listProjects: user =>
      audited(
        log,
        'api.listProjects',
        {labels: {user}},
        () => bounded(eligibility.listProjects(user), 'Your projects'),
        list => ({fields: {projectCount: list.length}}),
      ),

    listRoles: (user, project) =>
      audited(
        log,
        'api.listEligibleRoles',
        {labels: {user, project}},
        async () => {
          const listed = bounded(
            eligibility.listEntitlements(user, project),
            `Your roles on project ${project}`,
          );
          const [found, pending] = await Promise.all([
            listed,
            pendingOf(user, project, listed),
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
        () =>
          bounded(
            eligibility.listPeers(user, project, entitlement),
            `The reviewers of ${describeEntitlement(entitlement)}`,
          ),
        list => ({fields: {peerCount: list.length}}),
      ),
  };
}

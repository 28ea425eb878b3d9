/**
 * A requester's pending requests on a project: what the roles listing marks
 * PENDING_APPROVAL. One rule for the approvals service and for the listing's
 * own lookup, which reads the store over REST (shared/google/firestore-rest.ts)
 * so that a user's first page does not wait for the Firestore client library.
 */
import type {EntitlementId} from '../eligibility/types';
import type {RequestQuery} from '../ports';
import {effectiveState} from './effective-state';
import type {AccessRequest} from './types';

/** The most requests one listing returns. */
export const LIST_LIMIT = 100;

/** A pending request, as the listing marks its entitlement. */
export interface PendingEntitlement extends EntitlementId {
  requestId: string;
}

/** The user's pending requests on `projectId`, newest first. */
export async function pendingRequestsOf(
  list: (query: RequestQuery) => Promise<AccessRequest[]>,
  userEmail: string,
  projectId: string,
  now: Date,
): Promise<PendingEntitlement[]> {
  const stored = await list({
    as: 'requester',
    email: userEmail,
    state: 'PENDING',
    limit: LIST_LIMIT,
  });
  return stored
    .filter(r => effectiveState(r, now) === 'PENDING')
    .filter(r => r.project === projectId)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map(r => ({
      role: r.role,
      ...(r.resourceCondition !== undefined
        ? {resourceCondition: r.resourceCondition}
        : {}),
      requestId: r.id,
    }));
}

/**
 * How an entitlement (a role and its resource condition) is told apart from
 * another: compared, keyed and named. Imports nothing, so that the web UI
 * bundles exactly these few lines.
 */
import type {EntitlementId} from './types';

/** Whether two entitlements are the same role with the same resource condition. */
export function sameEntitlement(a: EntitlementId, b: EntitlementId): boolean {
  return (
    a.role === b.role &&
    (a.resourceCondition ?? '') === (b.resourceCondition ?? '')
  );
}

/** A string that identifies an entitlement, for maps and duplicate checks. */
export function entitlementKey(e: EntitlementId): string {
  return JSON.stringify([e.role, e.resourceCondition ?? null]);
}

/** `roles/x`, or `roles/x (R)` with a resource condition: for messages and logs. */
export function describeEntitlement(e: {
  role: string;
  resourceCondition?: string;
}): string {
  return e.resourceCondition === undefined
    ? e.role
    : `${e.role} (${e.resourceCondition})`;
}

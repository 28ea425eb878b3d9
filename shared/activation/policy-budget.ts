/**
 * IAM's limit on the principals of one allow policy, checked before every
 * write (https://cloud.google.com/iam/quotas: 1,500 principals per policy,
 * every occurrence counted, a Google group as one). A write over it is
 * refused by us with a message naming the limit and the policy, never with
 * Google's raw 400; above 80 % of it, every write logs a warning.
 */
import type {IamPolicy} from '../ports';

/** Principals one allow policy may hold, counting every occurrence. */
export const MAX_POLICY_PRINCIPALS = 1500;

/** From this many principals on, a write logs a warning. */
export const POLICY_PRINCIPALS_WARNING = Math.floor(
  MAX_POLICY_PRINCIPALS * 0.8,
);

/** The principals of a policy, every occurrence (a member of two bindings counts twice). */
export function countPrincipals(policy: IamPolicy): number {
  return (policy.bindings ?? []).reduce((n, b) => n + b.members.length, 0);
}

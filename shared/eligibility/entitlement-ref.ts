/**
 * Entitlements as request bodies name them (docs/design.md §2.1):
 * `{ "role": "roles/x", "resourceCondition": "<as GET roles returned it>" }`,
 * or a plain role string when the caller has exactly one entitlement for that
 * role.
 */
import {InvalidArgumentError, PermissionDeniedError} from '../errors';
import {normaliseResourceCondition} from './conditions';
import {isValidRoleName, MAX_CONDITION_LENGTH} from '../limits';
import {
  describeEntitlement,
  entitlementKey,
  sameEntitlement,
} from './entitlement-id';
import type {Entitlement} from './types';

export {describeEntitlement, entitlementKey, sameEntitlement};

/** An entitlement as a caller named it. */
export interface EntitlementRef {
  role: string;
  /** Normalised; absent when the caller named none. */
  resourceCondition?: string;
  /**
   * True when the caller named only the role (a plain string): it resolves
   * to the caller's one entitlement for that role, whatever its condition.
   */
  byRoleOnly: boolean;
}

function checkRole(role: unknown, field: string): string {
  if (typeof role !== 'string' || role === '') {
    throw new InvalidArgumentError(`${field}: a role name is required`);
  }
  if (!isValidRoleName(role)) {
    throw new InvalidArgumentError(
      `${field}: ${JSON.stringify(role.slice(0, 200))} is not a valid role name`,
    );
  }
  return role;
}

function checkResourceCondition(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.length > MAX_CONDITION_LENGTH
  ) {
    throw new InvalidArgumentError(
      `${field}.resourceCondition must be a non-blank string of at most ${MAX_CONDITION_LENGTH} characters`,
    );
  }
  return normaliseResourceCondition(value);
}

/**
 * Reads `role` and an optional `resourceCondition` given as separate fields
 * (e.g. the body of `POST …/roles/request`). Without a resource condition
 * the role resolves like a plain role string.
 */
export function entitlementRefOf(
  role: unknown,
  resourceCondition: unknown,
  field = 'role',
): EntitlementRef {
  const checked = checkRole(role, field);
  if (resourceCondition === undefined) {
    return {role: checked, byRoleOnly: true};
  }
  return {
    role: checked,
    resourceCondition: checkResourceCondition(resourceCondition, field),
    byRoleOnly: false,
  };
}

/**
 * Reads one entitlement as named in a body: a role string, or an object with
 * exactly `role` and an optional `resourceCondition`. `field` names it in
 * error messages (e.g. `roles[2]`).
 */
export function parseEntitlementRef(
  value: unknown,
  field = 'role',
): EntitlementRef {
  if (typeof value === 'string') {
    return {role: checkRole(value, field), byRoleOnly: true};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `${field} must be a role name or {role, resourceCondition}`,
    );
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter(
    k => k !== 'role' && k !== 'resourceCondition',
  );
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `${field} has unknown fields: ${unknown.slice(0, 5).join(', ')}`,
    );
  }
  const role = checkRole(record.role, `${field}.role`);
  if (record.resourceCondition === undefined) {
    return {role, byRoleOnly: false};
  }
  return {
    role,
    resourceCondition: checkResourceCondition(record.resourceCondition, field),
    byRoleOnly: false,
  };
}

/**
 * Finds the caller's entitlement that `ref` names. Throws
 * InvalidArgumentError when a plain role matches several entitlements (the
 * message asks for the resource condition), and PermissionDeniedError naming
 * the entitlement when the caller has none that matches.
 */
export function resolveEntitlement(
  ref: EntitlementRef,
  entitlements: readonly Entitlement[],
  projectId: string,
): Entitlement {
  const matches = ref.byRoleOnly
    ? entitlements.filter(e => e.role === ref.role)
    : entitlements.filter(e => sameEntitlement(e, ref));
  // Should the catalog list one entitlement twice, JIT wins, as it does per binding.
  const distinct = new Map<string, Entitlement>();
  for (const e of matches) {
    const key = entitlementKey(e);
    const seen = distinct.get(key);
    if (
      !seen ||
      (seen.activationType !== 'JIT' && e.activationType === 'JIT')
    ) {
      distinct.set(key, e);
    }
  }
  if (distinct.size > 1) {
    throw new InvalidArgumentError(
      `You have ${distinct.size} entitlements for ${ref.role} on project ${projectId}, each with its own resource condition: name the one you mean as {role, resourceCondition}`,
    );
  }
  const [match] = distinct.values();
  if (!match) {
    throw new PermissionDeniedError(
      `You are not eligible for ${describeEntitlement(ref)} on project ${projectId}`,
    );
  }
  return match;
}

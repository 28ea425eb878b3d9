/**
 * The pure edit of a project's IAM policy that activates roles (docs/design.md §1):
 * one binding per grant, same-role same-member temporary bindings purged
 * (this is how an active role is extended), every expired activation binding
 * removed (anyone's: it grants nothing, and counts against IAM's limits);
 * every other binding and the audit configs are returned as they
 * were read (the same objects), at version 3 with the etag that was read.
 *
 * IAM stores bindings of one role and one condition as one binding, so two
 * users who activate a role in the same second with the same justification
 * share one activation binding (our own merged writes make this common).
 * Such a binding is not the user's alone: the edit takes the user out of it,
 * where it would have removed the user's own, and leaves the others in.
 */
import {
  formatActivationCondition,
  isPurgedBy,
  parseActivation,
} from '../eligibility/conditions';
import type {IamBinding, IamPolicy} from '../ports';
import type {ActivationGrant} from './types';

/** The activations of one caller, as one Activator.activate call asked. */
export interface ActivationEdit {
  userEmail: string;
  grants: readonly ActivationGrant[];
  description: string;
}

/** `user:<lower-cased email>`. */
export function userMember(userEmail: string): string {
  return `user:${userEmail.toLowerCase()}`;
}

/** The binding that activates one grant for one user. */
export function activationBinding(
  userEmail: string,
  grant: ActivationGrant,
  description: string,
): IamBinding {
  const {title, expression} = formatActivationCondition(grant);
  return {
    role: grant.role,
    members: [userMember(userEmail)],
    condition: {title, description, expression},
  };
}

/**
 * `binding` (one member) is in `candidate`: same role and condition, and the
 * member among its members (IAM merges bindings of one role and condition).
 */
export function sameActivation(
  candidate: IamBinding,
  binding: IamBinding,
): boolean {
  return (
    candidate.role === binding.role &&
    candidate.members.includes(binding.members[0]!) &&
    candidate.condition?.expression === binding.condition?.expression &&
    candidate.condition?.title === binding.condition?.title &&
    (candidate.condition?.description ?? '') ===
      (binding.condition?.description ?? '')
  );
}

/** An activation binding of this member alone whose window has closed. */
function isExpiredActivationOf(
  binding: IamBinding,
  member: string,
  now: Date,
): boolean {
  if (binding.members.length !== 1 || binding.members[0] !== member) {
    return false;
  }
  const activation = parseActivation(binding.condition);
  return activation !== undefined && activation.end.getTime() <= now.getTime();
}

/** An activation binding of ours (by its title and window) whose window has closed. */
export function isExpiredActivation(binding: IamBinding, now: Date): boolean {
  const activation = parseActivation(binding.condition);
  return activation !== undefined && activation.end.getTime() <= now.getTime();
}

/** An activation binding (ours, by its condition) of this member and others. */
function isSharedActivationOf(binding: IamBinding, member: string): boolean {
  return (
    binding.members.length > 1 &&
    binding.members.includes(member) &&
    parseActivation(binding.condition) !== undefined
  );
}

/**
 * Applies the edits in order to a copy of the policy. A later edit may purge
 * a binding an earlier one added (the same user activating the same role
 * twice in one merged write): the later one wins, as it would have had the
 * writes been made one after the other.
 */
export function applyActivations(
  policy: IamPolicy,
  edits: readonly ActivationEdit[],
  now: Date,
): IamPolicy {
  let bindings: IamBinding[] = [...(policy.bindings ?? [])];
  for (const edit of edits) {
    const member = userMember(edit.userEmail);
    const added = edit.grants.map(g =>
      activationBinding(edit.userEmail, g, edit.description),
    );
    // Purge what was there before this edit, not what it adds: one call may
    // activate two entitlements of the same role (different resource
    // conditions), and both must stay.
    const replaced = (b: IamBinding) =>
      isExpiredActivationOf(b, member, now) ||
      added.some(a => isPurgedBy(b, a));
    bindings = bindings.flatMap(b => {
      if (!isSharedActivationOf(b, member)) return replaced(b) ? [] : [b];
      // The user's part of a binding IAM merged, judged as if it were theirs alone.
      if (!replaced({...b, members: [member]})) return [b];
      return [{...b, members: b.members.filter(m => m !== member)}];
    });
    bindings.push(...added);
  }
  // Every expired activation of ours, whoever it was for, so that it stops
  // counting against IAM's limits (policy-budget.ts). The ones just added
  // start now and are never expired.
  bindings = bindings.filter(b => !isExpiredActivation(b, now));
  const result: IamPolicy = {...policy, version: 3, bindings};
  return result;
}

/**
 * The policy without the binding that activating `grant` for `userEmail`
 * wrote: matched by role, title and window expression (the description may
 * name other approvers); the member is taken out of a binding IAM merged
 * with others. Undefined when the policy holds no such binding.
 */
export function removeActivation(
  policy: IamPolicy,
  userEmail: string,
  grant: ActivationGrant,
): IamPolicy | undefined {
  const member = userMember(userEmail);
  const {title, expression} = formatActivationCondition(grant);
  const matches = (b: IamBinding) =>
    b.role === grant.role &&
    b.members.includes(member) &&
    b.condition?.title === title &&
    b.condition?.expression === expression;
  const bindings = policy.bindings ?? [];
  if (!bindings.some(matches)) return undefined;
  return {
    ...policy,
    version: 3,
    bindings: bindings.flatMap(b => {
      if (!matches(b)) return [b];
      const rest = b.members.filter(m => m !== member);
      return rest.length === 0 ? [] : [{...b, members: rest}];
    }),
  };
}

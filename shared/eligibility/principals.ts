/**
 * Who a binding applies to. Eligibility is granted to users, groups and
 * domains only (docs/design.md §1 as upstream): a service account, a deleted
 * principal or a workforce identity never makes a user eligible, and a
 * binding on `allUsers` / `allAuthenticatedUsers` is refused with a warning,
 * since it would make everyone eligible for a privileged role.
 */

/** The caller as the eligibility code matches members against. */
export interface Caller {
  /** Lower-case. */
  email: string;
  /** Lower-case, the part after `@`. */
  domain: string;
  /** Lower-case group emails, nested memberships included. */
  groups: ReadonlySet<string>;
}

/** How a binding's members relate to the caller. */
export type Applicability =
  /** A `user:`, `group:` or `domain:` member names the caller. */
  | 'caller'
  /** Only `allUsers` / `allAuthenticatedUsers` would cover the caller: ignored. */
  | 'public'
  | 'none';

const PUBLIC = new Set(['allusers', 'allauthenticatedusers']);

/** Builds a Caller from an email and the groups the directory reports. */
export function makeCaller(email: string, groups: Iterable<string>): Caller {
  const lower = email.toLowerCase();
  const at = lower.lastIndexOf('@');
  const set = new Set<string>();
  for (const g of groups) set.add(g.toLowerCase());
  return {
    email: lower,
    domain: at >= 0 ? lower.slice(at + 1) : '',
    groups: set,
  };
}

/** Whether the member string is `allUsers` or `allAuthenticatedUsers`. */
export function isPublicMember(member: string): boolean {
  return PUBLIC.has(member.toLowerCase());
}

/** Splits `type:value` into a lower-case type and a lower-case value. */
export function splitMember(
  member: string,
): {type: string; value: string} | undefined {
  const colon = member.indexOf(':');
  if (colon <= 0) return undefined;
  return {
    type: member.slice(0, colon).toLowerCase(),
    value: member.slice(colon + 1).toLowerCase(),
  };
}

/** Whether one member names the caller (case-insensitive). */
export function memberNamesCaller(member: string, caller: Caller): boolean {
  const m = splitMember(member);
  if (!m) return false;
  switch (m.type) {
    case 'user':
      return m.value === caller.email;
    case 'group':
      return caller.groups.has(m.value);
    case 'domain':
      return m.value === caller.domain;
    default:
      // serviceAccount:, principal://, deleted:… never make a user eligible.
      return false;
  }
}

/** How a binding's members apply to the caller. */
export function applicability(
  members: readonly string[],
  caller: Caller,
): Applicability {
  let sawPublic = false;
  for (const member of members) {
    if (memberNamesCaller(member, caller)) return 'caller';
    if (isPublicMember(member)) sawPublic = true;
  }
  return sawPublic ? 'public' : 'none';
}

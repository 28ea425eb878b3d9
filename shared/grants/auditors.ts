/**
 * Who is an auditor (AUDITOR_PRINCIPALS, docs/grants.md): a listed
 * `user:`, or a member of a listed `group:`, nested groups included, through
 * the same group resolution as eligibility.
 */
import type {DirectoryPort} from '../ports';

export interface AuditorCheck {
  /** Whether any auditor is configured at all. */
  readonly configured: boolean;
  isAuditor(email: string): Promise<boolean>;
}

export function makeAuditorCheck(
  principals: readonly string[],
  directory: Pick<DirectoryPort, 'groupsOf'> | undefined,
): AuditorCheck {
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const p of principals) {
    const colon = p.indexOf(':');
    const kind = p.slice(0, colon).toLowerCase();
    const email = p.slice(colon + 1).toLowerCase();
    if (kind === 'user') users.add(email);
    if (kind === 'group') groups.add(email);
  }
  if (groups.size > 0 && !directory) {
    throw new Error('AUDITOR_PRINCIPALS lists groups: a directory is needed');
  }
  return {
    configured: users.size + groups.size > 0,
    async isAuditor(email) {
      const lower = email.toLowerCase();
      if (users.has(lower)) return true;
      if (groups.size === 0) return false;
      const memberOf = await directory!.groupsOf(lower);
      return memberOf.some(g => groups.has(g.toLowerCase()));
    },
  };
}

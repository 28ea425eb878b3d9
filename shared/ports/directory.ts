/** Cloud Identity groups, as far as eligibility and peers need them. */
export interface DirectoryPort {
  /**
   * Email addresses (lower-case) of every group the user is a member of,
   * directly or through nested groups: `searchTransitiveGroups`, or where the
   * edition refuses it (403), `searchDirectGroups` applied recursively
   * (cycle-safe, depth ≤ 10).
   */
  groupsOf(userEmail: string): Promise<string[]>;
  /**
   * Email addresses (lower-case) of the users in a group, nested groups
   * expanded: `groups:lookup` then `searchTransitiveMemberships`, or where the
   * edition refuses it, `memberships.list` applied recursively. An unknown
   * group yields an empty list.
   */
  usersIn(groupEmail: string): Promise<string[]>;
}

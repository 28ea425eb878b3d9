/**
 * Entitlements: what a user may activate on a project (docs/design.md §1, §2.1).
 */

export const ActivationType = ['JIT', 'MPA'] as const;
export type ActivationType = (typeof ActivationType)[number];

export const EntitlementStatus = [
  'ELIGIBLE',
  'ACTIVE',
  'PENDING_APPROVAL',
] as const;
export type EntitlementStatus = (typeof EntitlementStatus)[number];

/** A role plus a resource condition (in upstream's normalised form), on one project. */
export interface EntitlementId {
  role: string;
  /** Absent when the eligible binding has no other clause. */
  resourceCondition?: string;
}

export interface Entitlement extends EntitlementId {
  activationType: ActivationType;
  status: EntitlementStatus;
  /** RFC 3339 UTC, when ACTIVE. */
  validUntil?: string;
  /** When PENDING_APPROVAL. */
  requestId?: string;
}

/** What the eligibility code answers for one user and one project. */
export interface EntitlementSet {
  entitlements: Entitlement[];
  /** Safe to show: e.g. a binding on allUsers that was ignored. */
  warnings: string[];
}

/** The eligibility use cases, behind either catalog (AssetInventory / PolicyAnalyzer). */
export interface EligibilityService {
  /** Sorted project IDs in scope where the user has at least one eligible role. */
  listProjects(userEmail: string): Promise<string[]>;
  /**
   * The user's entitlements on a project, with ACTIVE status from the
   * project's policy (PENDING_APPROVAL is added by the entitlement listing,
   * shared/eligibility/listing.ts, from the stored requests).
   * Throws NotFoundError for a project outside the scope or unknown.
   */
  listEntitlements(
    userEmail: string,
    projectId: string,
  ): Promise<EntitlementSet>;
  /**
   * Other users MPA-eligible for the same entitlement on the project, groups
   * expanded, sorted, the user excluded.
   */
  listPeers(
    userEmail: string,
    projectId: string,
    entitlement: EntitlementId,
  ): Promise<string[]>;
  /**
   * Whether the user holds an MPA-eligible binding for exactly this
   * entitlement on the project, whether or not another binding also makes
   * them JIT-eligible for it: "JIT wins" decides what a user may request, not
   * who may review. These are the users that listPeers offers (a domain
   * member counts here, though listPeers cannot list it). Upstream checks a
   * reviewer this way (findEntitlements with MPA only). Throws NotFoundError
   * for a project outside the scope or unknown.
   */
  isReviewer(
    userEmail: string,
    projectId: string,
    entitlement: EntitlementId,
  ): Promise<boolean>;
}

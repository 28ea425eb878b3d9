/**
 * The one in-memory EligibilityService, for tests where eligibility is not
 * the point (the catalogs themselves are tested against the fake Google
 * Cloud in test/eligibility/). It is given eligible bindings, user by user
 * (or `*` for everyone), and answers as the catalogs do: JIT wins in the
 * listing, reviewers and peers are the MPA-eligible users, only a user who
 * may request an entitlement may list its peers, an unknown project is a
 * NotFoundError. Every call is recorded in `calls`.
 */
import type {
  EligibilityService,
  Entitlement,
  EntitlementId,
  EntitlementSet,
  EntitlementStatus,
} from '../../shared/eligibility/types';
import {requireMpa} from '../../shared/eligibility/asset-inventory-catalog';
import {entitlementKey} from '../../shared/eligibility/entitlement-ref';
import {NotFoundError} from '../../shared/errors';

/** Everyone, in a grant's `user`. */
export const EVERYONE = '*';

/** One eligible binding of one user on one project. */
export interface EligibleGrant extends EntitlementId {
  project: string;
  /** A user's email, or EVERYONE. */
  user: string;
  type: 'JIT' | 'MPA';
  /** ELIGIBLE unless said otherwise (an ACTIVE one carries validUntil). */
  status?: EntitlementStatus;
  validUntil?: string;
}

export interface EligibilityCall {
  method: keyof EligibilityService;
  args: unknown[];
}

export class MemoryEligibility implements EligibilityService {
  /** Every call, in order. */
  readonly calls: EligibilityCall[] = [];
  /** Warnings listEntitlements answers, per project. */
  readonly warnings = new Map<string, string[]>();

  constructor(
    /** The eligible bindings; tests may change them as they go. */
    public grants: EligibleGrant[],
    /** Projects that exist in scope, even without grants. */
    readonly projects: string[] = [],
  ) {}

  /** How many calls were made to `method`, or to any method. */
  count(method?: keyof EligibilityService): number {
    return method === undefined
      ? this.calls.length
      : this.calls.filter(c => c.method === method).length;
  }

  private known(project: string): void {
    if (
      !this.projects.includes(project) &&
      !this.grants.some(g => g.project === project)
    ) {
      throw new NotFoundError(`Project ${project} was not found`);
    }
  }

  private grantsOf(user: string, project: string): EligibleGrant[] {
    return this.grants.filter(
      g => g.project === project && (g.user === user || g.user === EVERYONE),
    );
  }

  async listProjects(user: string): Promise<string[]> {
    this.calls.push({method: 'listProjects', args: [user]});
    const projects = this.grants
      .filter(g => g.user === user || g.user === EVERYONE)
      .map(g => g.project);
    return [...new Set(projects)].sort();
  }

  async listEntitlements(user: string, project: string) {
    this.calls.push({method: 'listEntitlements', args: [user, project]});
    return this.entitlementsOf(user, project);
  }

  private entitlementsOf(user: string, project: string): EntitlementSet {
    this.known(project);
    const byKey = new Map<string, Entitlement>();
    for (const g of this.grantsOf(user, project)) {
      const key = entitlementKey(g);
      const seen = byKey.get(key);
      // As the catalogs: one entitlement per role and condition, JIT wins.
      if (seen && !(seen.activationType === 'MPA' && g.type === 'JIT')) {
        continue;
      }
      byKey.set(key, {
        role: g.role,
        ...(g.resourceCondition === undefined
          ? {}
          : {resourceCondition: g.resourceCondition}),
        activationType: g.type,
        status: g.status ?? 'ELIGIBLE',
        ...(g.validUntil === undefined ? {} : {validUntil: g.validUntil}),
      });
    }
    return {
      entitlements: [...byKey.values()],
      warnings: [...(this.warnings.get(project) ?? [])],
    };
  }

  private mpaHolders(project: string, e: EntitlementId): string[] {
    const key = entitlementKey(e);
    return this.grants
      .filter(
        g =>
          g.project === project &&
          g.type === 'MPA' &&
          g.user !== EVERYONE &&
          entitlementKey(g) === key,
      )
      .map(g => g.user);
  }

  async isReviewer(user: string, project: string, e: EntitlementId) {
    this.calls.push({method: 'isReviewer', args: [user, project, e]});
    this.known(project);
    // As the catalogs: a binding for everyone (a domain) makes everyone a
    // reviewer, though listPeers cannot list them.
    const key = entitlementKey(e);
    return this.grantsOf(user, project).some(
      g => g.type === 'MPA' && entitlementKey(g) === key,
    );
  }

  async listPeers(user: string, project: string, e: EntitlementId) {
    this.calls.push({method: 'listPeers', args: [user, project, e]});
    // As the catalogs: only a user who may request it may ask for peers.
    requireMpa(this.entitlementsOf(user, project), project, e);
    return [...new Set(this.mpaHolders(project, e))]
      .filter(u => u !== user)
      .sort();
  }
}

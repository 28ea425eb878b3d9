/**
 * The `AssetInventory` catalog (the default): the caller's groups from Cloud
 * Identity, the project's effective policies from one
 * `effectiveIamPolicies:batchGet`, and the matching done here. `GET roles`
 * costs two Google API calls, made in parallel.
 */
import {
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors';
import type {AttachedPolicy} from '../ports';
import {
  CatalogDeps,
  checkCatalogDeps,
  logPublicBindingWarnings,
  projectNotFound,
  searchAvailableProjects,
} from './catalog-deps';
import {
  computeEntitlements,
  holdsMpaBinding,
  LocatedBinding,
  mpaBindingsFor,
} from './entitlements';
import {entitlementKey} from './entitlement-ref';
import {projectFullName, projectOf, scopeProject} from './names';
import {applicability, makeCaller, splitMember} from './principals';
import {listEligibleProjects} from './project-listing';
import type {EligibilityService, EntitlementId, EntitlementSet} from './types';

/** Every binding of a policy chain, with where it is attached. */
export function locatedBindings(policies: AttachedPolicy[]): LocatedBinding[] {
  const out: LocatedBinding[] = [];
  for (const p of policies) {
    for (const binding of p.policy.bindings ?? []) {
      out.push({binding, resource: p.attachedResource});
    }
  }
  return out;
}

/**
 * The project's own policy in a chain: the entry attached to the project
 * (by ID or number), else the nearest one, as Cloud Asset lists it first.
 */
function ownPolicy(policies: AttachedPolicy[], projectId: string) {
  const own =
    policies.find(p => projectOf(p.attachedResource) === projectId) ??
    policies.find(p => projectOf(p.attachedResource) !== undefined);
  return own?.policy.bindings ?? [];
}

/** Builds the AssetInventory catalog over its ports. */
export function makeAssetInventoryCatalog(
  deps: CatalogDeps,
): EligibilityService {
  checkCatalogDeps(deps);
  const {config, assets, directory} = deps;
  const now = deps.now ?? (() => new Date());

  /** The project's policy and its ancestors', or 404 when outside the scope or unknown. */
  async function projectPolicies(projectId: string): Promise<AttachedPolicy[]> {
    const only = scopeProject(config.scope);
    if (only !== undefined && only !== projectId) {
      throw projectNotFound(projectId);
    }
    let answer;
    try {
      answer = await assets.batchGetEffectiveIamPolicies(config.scope, [
        projectFullName(projectId),
      ]);
    } catch (e) {
      // Cloud Asset refuses a name outside the scope (400) or unknown (404).
      // A 403 stays a 503 naming the service account's missing permission.
      if (e instanceof NotFoundError || e instanceof InvalidArgumentError) {
        throw projectNotFound(projectId, e);
      }
      throw e;
    }
    // Cloud Asset answers only for a resource in the scope (else 400, or 404
    // when unknown), so an answer is proof enough of the ancestry.
    const entry = answer[0];
    if (!entry) throw projectNotFound(projectId);
    return entry.policies;
  }

  async function entitlementsOf(
    userEmail: string,
    projectId: string,
  ): Promise<{set: EntitlementSet; policies: AttachedPolicy[]}> {
    const [groups, policies] = await Promise.all([
      directory.groupsOf(userEmail),
      projectPolicies(projectId),
    ]);
    const caller = makeCaller(userEmail, groups);
    const set = computeEntitlements({
      bindings: locatedBindings(policies),
      applies: b => applicability(b.members, caller),
      projectBindings: ownPolicy(policies, projectId),
      userEmail: caller.email,
      now: now(),
    });
    logPublicBindingWarnings(deps.log, set, caller.email, projectId);
    return {set, policies};
  }

  return {
    async listProjects(userEmail) {
      if (config.availableProjectsQuery) {
        return searchAvailableProjects(deps, config.availableProjectsQuery);
      }
      const groups = await directory.groupsOf(userEmail);
      return listEligibleProjects(deps, makeCaller(userEmail, groups));
    },

    async listEntitlements(userEmail, projectId) {
      return (await entitlementsOf(userEmail, projectId)).set;
    },

    async listPeers(userEmail, projectId, entitlement) {
      const {set, policies} = await entitlementsOf(userEmail, projectId);
      requireMpa(set, projectId, entitlement);
      const holders = mpaBindingsFor(
        locatedBindings(policies).map(l => l.binding),
        entitlement,
      );
      const users = new Set<string>();
      const groups = new Set<string>();
      for (const binding of holders) {
        for (const member of binding.members) {
          const m = splitMember(member);
          if (m?.type === 'user') users.add(m.value);
          if (m?.type === 'group') groups.add(m.value);
          // A domain cannot be listed member by member; its users are not
          // offered as reviewers unless named another way.
        }
      }
      const expanded = await Promise.all(
        [...groups].map(g => directory.usersIn(g)),
      );
      for (const list of expanded) {
        for (const u of list) users.add(u.toLowerCase());
      }
      users.delete(userEmail.toLowerCase());
      return [...users].sort();
    },

    async isReviewer(userEmail, projectId, entitlement) {
      const [groups, policies] = await Promise.all([
        directory.groupsOf(userEmail),
        projectPolicies(projectId),
      ]);
      const caller = makeCaller(userEmail, groups);
      return holdsMpaBinding(
        locatedBindings(policies).map(l => l.binding),
        b => applicability(b.members, caller),
        entitlement,
      );
    },
  };
}

/** 403 unless the caller's entitlements include this one as MPA. */
export function requireMpa(
  set: EntitlementSet,
  projectId: string,
  entitlement: EntitlementId,
): void {
  const key = entitlementKey(entitlement);
  const mine = set.entitlements.find(e => entitlementKey(e) === key);
  if (mine?.activationType !== 'MPA') {
    throw new PermissionDeniedError(
      `You are not eligible to request approval for ${entitlement.role}` +
        (entitlement.resourceCondition !== undefined
          ? ` (condition ${entitlement.resourceCondition})`
          : '') +
        ` on project ${projectId}`,
    );
  }
}

/**
 * The `PolicyAnalyzer` catalog (upstream's default): Cloud Asset
 * `analyzeIamPolicy` answers who has what, groups expanded by Google.
 * `GET roles` costs one call: the analysis for the caller on the project
 * also returns the caller's activation bindings, so ACTIVE status needs no
 * policy read. Only when the analysis is empty does a second call tell an
 * unknown or out-of-scope project (404) from one with no roles.
 */
import type {IamBinding, IamPolicyAnalysisResult} from '../ports';
import {
  CatalogDeps,
  checkCatalogDeps,
  logPublicBindingWarnings,
  projectNotFound,
  searchAvailableProjects,
} from './catalog-deps';
import {requireMpa} from './asset-inventory-catalog';
import {activeProjectIds, PROJECT_ASSET_TYPE} from './project-listing';
import {parseEligibility} from './conditions';
import {
  computeEntitlements,
  holdsMpaBinding,
  mpaBindingsFor,
} from './entitlements';
import {projectFullName, projectOf, scopeProject} from './names';
import {
  Applicability,
  Caller,
  isPublicMember,
  makeCaller,
  memberNamesCaller,
  splitMember,
} from './principals';
import type {EligibilityService, EntitlementSet} from './types';
import {NotFoundError, InvalidArgumentError} from '../errors';

/**
 * Whether an analysed binding applies to the caller. The analysis already
 * says the caller is covered; what is left is why: a `user:`/`domain:`
 * member or a group (Google expanded it) counts; a binding that also names
 * `allUsers` / `allAuthenticatedUsers` counts only through a `user:` or
 * `domain:` member; other principal types never count.
 */
export function analysedApplicability(
  binding: IamBinding,
  caller: Caller,
): Applicability {
  let sawGroup = false;
  let sawPublic = false;
  for (const member of binding.members) {
    if (memberNamesCaller(member, caller)) return 'caller';
    if (splitMember(member)?.type === 'group') sawGroup = true;
    if (isPublicMember(member)) sawPublic = true;
  }
  // With allUsers among the members, the analysis no longer proves that a
  // group covers the caller: refuse (fail closed) rather than guess.
  if (sawPublic) return 'public';
  return sawGroup ? 'caller' : 'none';
}

/** Builds the PolicyAnalyzer catalog over its ports. */
export function makePolicyAnalyzerCatalog(
  deps: CatalogDeps,
): EligibilityService {
  checkCatalogDeps(deps);
  const {config, assets} = deps;
  const now = deps.now ?? (() => new Date());

  /** Cloud Asset refuses a resource outside the scope or unknown: that is a 404 here. */
  function asNotFound(projectId: string, e: unknown): unknown {
    return e instanceof NotFoundError || e instanceof InvalidArgumentError
      ? projectNotFound(projectId, e)
      : e;
  }

  /**
   * 404 unless the project is in scope and known. Asked only when the
   * analysis is empty, which is also what an analysis of a resource Google
   * does not know may look like.
   */
  async function requireProjectInScope(projectId: string): Promise<void> {
    try {
      const chain = await assets.batchGetEffectiveIamPolicies(config.scope, [
        projectFullName(projectId),
      ]);
      if (chain.length === 0) throw projectNotFound(projectId);
    } catch (e) {
      throw asNotFound(projectId, e);
    }
  }

  /** The analysis for the user on the project, or 404 when outside the scope or unknown. */
  async function analysisFor(
    userEmail: string,
    projectId: string,
  ): Promise<{caller: Caller; results: IamPolicyAnalysisResult[]}> {
    const only = scopeProject(config.scope);
    if (only !== undefined && only !== projectId) {
      throw projectNotFound(projectId);
    }
    const caller = makeCaller(userEmail, []);
    let results: IamPolicyAnalysisResult[];
    try {
      results = await assets.analyzeIamPolicy({
        scope: config.scope,
        identity: `user:${caller.email}`,
        resource: projectFullName(projectId),
      });
    } catch (e) {
      throw asNotFound(projectId, e);
    }
    if (results.length === 0) await requireProjectInScope(projectId);
    return {caller, results};
  }

  async function analyse(
    userEmail: string,
    projectId: string,
  ): Promise<EntitlementSet> {
    const {caller, results} = await analysisFor(userEmail, projectId);
    const set = computeEntitlements({
      bindings: results.map(r => ({
        binding: r.iamBinding,
        resource: r.attachedResourceFullName,
      })),
      applies: b => analysedApplicability(b, caller),
      projectBindings: results
        .filter(r => projectOf(r.attachedResourceFullName) !== undefined)
        .map(r => r.iamBinding),
      userEmail: caller.email,
      now: now(),
    });
    logPublicBindingWarnings(deps.log, set, caller.email, projectId);
    return set;
  }

  return {
    async listProjects(userEmail) {
      if (config.availableProjectsQuery) {
        return searchAvailableProjects(deps, config.availableProjectsQuery);
      }
      const caller = makeCaller(userEmail, []);
      // The analysis expands resources but says nothing of their state:
      // one search, in parallel, keeps the ACTIVE projects only.
      const [results, projects] = await Promise.all([
        assets.analyzeIamPolicy({
          scope: config.scope,
          identity: `user:${caller.email}`,
          expandResources: true,
        }),
        assets.searchAllResources(config.scope, {
          assetTypes: [PROJECT_ASSET_TYPE],
        }),
      ]);
      const active = activeProjectIds(projects);
      return projectsOf(results, caller).filter(id => active.has(id));
    },

    listEntitlements: analyse,

    async listPeers(userEmail, projectId, entitlement) {
      requireMpa(await analyse(userEmail, projectId), projectId, entitlement);
      const results = await assets.analyzeIamPolicy({
        scope: config.scope,
        resource: projectFullName(projectId),
        roles: [entitlement.role],
        expandGroups: true,
      });
      const holders = new Set(
        mpaBindingsFor(
          results.map(r => r.iamBinding),
          entitlement,
        ),
      );
      const users = new Set<string>();
      for (const r of results) {
        if (!holders.has(r.iamBinding)) continue;
        for (const identity of r.identities) {
          const m = splitMember(identity);
          if (m?.type === 'user') users.add(m.value);
        }
      }
      users.delete(userEmail.toLowerCase());
      return [...users].sort();
    },

    async isReviewer(userEmail, projectId, entitlement) {
      const {caller, results} = await analysisFor(userEmail, projectId);
      return holdsMpaBinding(
        results.map(r => r.iamBinding),
        b => analysedApplicability(b, caller),
        entitlement,
      );
    },
  };
}

/** Sorted project IDs that eligible bindings for the caller cover. */
function projectsOf(
  results: IamPolicyAnalysisResult[],
  caller: Caller,
): string[] {
  const ids = new Set<string>();
  for (const r of results) {
    const b = r.iamBinding;
    if (!b.condition || analysedApplicability(b, caller) !== 'caller') continue;
    if (!parseEligibility(b.condition)) continue;
    for (const resource of r.resources) {
      const id = projectOf(resource);
      if (id !== undefined) ids.add(id);
    }
  }
  return [...ids].sort();
}

/**
 * `GET /api/projects` for the AssetInventory catalog, personalised (beyond
 * upstream, whose AssetInventory catalog needs AVAILABLE_PROJECTS_QUERY):
 *
 * - `searchAllIamPolicies` over the caller's identities (user, groups,
 *   domain; at most 50 per query) finds eligible bindings on projects,
 *   folders and organizations inside the scope;
 * - `effectiveIamPolicies:batchGet` on the scope itself finds those on the
 *   scope, which cover every project in it (Cloud Asset returns policies up
 *   to the scope, not above it: docs/design-notes.md);
 * - `searchAllResources` lists the scope's projects with their ancestry and
 *   state, for projects under an eligible folder (nested too) and to keep
 *   only ACTIVE ones.
 *
 * The three run in parallel.
 */
import type {IamBinding, ResourceSearchResult} from '../ports';
import type {CatalogDeps} from './catalog-deps';
import {parseEligibility} from './conditions';
import {containerName, projectOf, scopeFullName} from './names';
import {applicability, Caller} from './principals';

/** Cloud Asset's asset type of a project. */
export const PROJECT_ASSET_TYPE = 'cloudresourcemanager.googleapis.com/Project';

/** Cloud Asset accepts at most this many identities in one policy query. */
export const MAX_IDENTITIES_PER_QUERY = 50;

/** The caller's identities as IAM members: user, groups, domain. */
export function callerIdentities(caller: Caller): string[] {
  const ids = [`user:${caller.email}`];
  for (const g of [...caller.groups].sort()) ids.push(`group:${g}`);
  if (caller.domain) ids.push(`domain:${caller.domain}`);
  return ids;
}

/** `policy:("user:a@x" OR "group:b@x" …)`, one query per 50 identities. */
export function policyQueries(identities: string[]): string[] {
  const queries: string[] = [];
  for (let i = 0; i < identities.length; i += MAX_IDENTITIES_PER_QUERY) {
    const chunk = identities.slice(i, i + MAX_IDENTITIES_PER_QUERY);
    queries.push(`policy:(${chunk.map(id => `"${id}"`).join(' OR ')})`);
  }
  return queries;
}

function hasEligibleBindingFor(
  bindings: IamBinding[] | undefined,
  caller: Caller,
): boolean {
  return (bindings ?? []).some(
    b =>
      b.condition !== undefined &&
      applicability(b.members, caller) === 'caller' &&
      parseEligibility(b.condition) !== undefined,
  );
}

/** The project ID and number of a project search result. */
export function projectIdentity(r: ResourceSearchResult): {
  id?: string;
  number?: string;
} {
  const attributeId = r.additionalAttributes?.['projectId'];
  const fromName = projectOf(r.name);
  const number = r.project?.startsWith('projects/')
    ? r.project.slice('projects/'.length)
    : fromName !== undefined && /^[0-9]+$/.test(fromName)
      ? fromName
      : undefined;
  const id =
    typeof attributeId === 'string'
      ? attributeId
      : fromName !== undefined && !/^[0-9]+$/.test(fromName)
        ? fromName
        : undefined;
  return {id, number};
}

/** The IDs of the ACTIVE projects among search results. */
export function activeProjectIds(results: ResourceSearchResult[]): Set<string> {
  const ids = new Set<string>();
  for (const r of results) {
    if (r.assetType !== PROJECT_ASSET_TYPE) continue;
    if ((r.state ?? 'ACTIVE') !== 'ACTIVE') continue;
    const {id} = projectIdentity(r);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/** Sorted IDs of the ACTIVE projects in scope where the caller has an eligible binding. */
export async function listEligibleProjects(
  deps: CatalogDeps,
  caller: Caller,
): Promise<string[]> {
  const {assets, config} = deps;
  const scope = config.scope;
  const [searches, scopeChain, projects] = await Promise.all([
    Promise.all(
      policyQueries(callerIdentities(caller)).map(q =>
        assets.searchAllIamPolicies(scope, q),
      ),
    ),
    assets.batchGetEffectiveIamPolicies(scope, [scopeFullName(scope)]),
    assets.searchAllResources(scope, {assetTypes: [PROJECT_ASSET_TYPE]}),
  ]);

  // An eligible binding on the scope or above it covers every project in it.
  const everywhere = (scopeChain[0]?.policies ?? []).some(p =>
    hasEligibleBindingFor(p.policy.bindings, caller),
  );

  // Projects, folders and organizations (relative names) with an eligible binding.
  const eligible = new Set<string>();
  if (!everywhere) {
    for (const result of searches.flat()) {
      const name = containerName(result.resource);
      if (name && hasEligibleBindingFor(result.policy.bindings, caller)) {
        eligible.add(name);
      }
    }
  }

  const ids = new Set<string>();
  for (const p of projects) {
    if (p.assetType !== PROJECT_ASSET_TYPE) continue;
    if ((p.state ?? 'ACTIVE') !== 'ACTIVE') continue;
    const {id, number} = projectIdentity(p);
    if (id === undefined) continue;
    const covered =
      everywhere ||
      eligible.has(`projects/${id}`) ||
      (number !== undefined && eligible.has(`projects/${number}`)) ||
      (p.folders ?? []).some(f => eligible.has(f)) ||
      (p.organization !== undefined && eligible.has(p.organization));
    if (covered) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * Cloud Asset Inventory v1: `effectiveIamPolicies:batchGet`,
 * `searchAllIamPolicies`, `searchAllResources` and `analyzeIamPolicy`,
 * computed from the world's hierarchy, policies and groups.
 *
 * References: https://cloud.google.com/asset-inventory/docs/reference/rest/v1/effectiveIamPolicies/batchGet
 * (a resource's policy and its ancestors' up to the scope, nearest first; at
 * most 20 names), …/v1/TopLevel/searchAllIamPolicies (only the bindings that
 * match the query; page size capped at 500), …/v1/TopLevel/searchAllResources,
 * …/v1/TopLevel/analyzeIamPolicy, and the proto comments of
 * google/cloud/asset/v1/asset_service.proto. A client that adds
 * `$alt=json;enum-encoding=int` (google-gax's REST transport) gets enums as
 * numbers; the product's adapter sends Google's documented form and gets names.
 *
 * Only the containers (organization, folders, projects) exist as resources.
 * Names: a project is `//cloudresourcemanager.googleapis.com/projects/<id>`
 * in `resource`/`name` and `projects/<number>` in `project`.
 */
import {SCOPE, scopeOf} from './asset-common';
import {analyzeIamPolicy} from './asset-analyze';
import {searchAllIamPolicies, searchAllResources} from './asset-search';
import {ancestry, fromFullName, fullName} from './hierarchy';
import {storedPolicy} from './iam';
import type {
  FakeGoogleCloud,
  FakeRequest,
  FakeResponse,
  FakeRoute,
} from './server';
import {googleError} from './server';

function batchGet(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const s = scopeOf(fake, req, 'cloudasset.assets.analyzeIamPolicy');
  if ('error' in s) return s.error;
  const names = req.query.getAll('names');
  if (names.length === 0)
    return googleError(
      400,
      'Request contains an invalid argument: names is empty.',
    );
  if (names.length > 20) {
    return googleError(
      400,
      `Request contains an invalid argument: at most 20 names are allowed, ${names.length} given.`,
    );
  }
  const world = fake.world;
  const policyResults = [];
  for (const full of names) {
    const name = fromFullName(world, full);
    if (!name) return googleError(404, `Resource ${full} not found.`);
    const chain = ancestry(world, name);
    const upTo = chain.indexOf(s.scope);
    if (upTo < 0) {
      return googleError(
        400,
        `Request contains an invalid argument: ${full} is not in scope ${s.scope}.`,
      );
    }
    const policies = chain
      .slice(0, upTo + 1)
      .filter(
        n =>
          world.policies?.[n]?.bindings?.length ||
          world.policies?.[n]?.auditConfigs?.length,
      )
      .map(n => {
        const p = storedPolicy(world, n);
        return {
          attachedResource: fullName(n),
          policy: {
            version: p.bindings?.some(b => b.condition) ? 3 : (p.version ?? 1),
            etag: p.etag,
            ...(p.bindings?.length ? {bindings: p.bindings} : {}),
            ...(p.auditConfigs?.length ? {auditConfigs: p.auditConfigs} : {}),
          },
        };
      });
    policyResults.push({
      fullResourceName: full,
      ...(policies.length ? {policies} : {}),
    });
  }
  return {status: 200, body: {policyResults}};
}

export const assetRoutes: FakeRoute[] = [
  {
    name: 'cloudasset.effectiveIamPolicies.batchGet',
    method: 'GET',
    pattern: new RegExp(`^/v1/${SCOPE}/effectiveIamPolicies:batchGet$`),
    handle: batchGet,
  },
  {
    name: 'cloudasset.searchAllIamPolicies',
    method: 'GET',
    pattern: new RegExp(`^/v1/${SCOPE}:searchAllIamPolicies$`),
    handle: searchAllIamPolicies,
  },
  {
    name: 'cloudasset.searchAllResources',
    method: 'GET',
    pattern: new RegExp(`^/v1/${SCOPE}:searchAllResources$`),
    handle: searchAllResources,
  },
  {
    name: 'cloudasset.analyzeIamPolicy',
    method: 'GET',
    pattern: new RegExp(`^/v1/${SCOPE}:analyzeIamPolicy$`),
    handle: analyzeIamPolicy,
  },
];

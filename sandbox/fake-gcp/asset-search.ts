/**
 * Cloud Asset v1 `searchAllIamPolicies` and `searchAllResources`
 * (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllIamPolicies,
 * …/searchAllResources): only the bindings that match the query are
 * returned; pages hold at most 500 results. The query language is in
 * asset-query.ts.
 */
import {
  assetTypeOf,
  assetTypesFilter,
  bindingsOf,
  location,
  parseQuery,
  resourcesIn,
  scopeOf,
} from './asset-common';
import {evaluate, wordMatch, words, type QueryNode} from './asset-query';
import {findProject, fullName, parentOf} from './hierarchy';
import {paginate} from './paging';
import type {FakeGoogleCloud, FakeRequest, FakeResponse} from './server';
import {googleError} from './server';
import type {World, WorldBinding} from './world';

const MEMBER_TYPES = (b: WorldBinding) =>
  b.members.map(m =>
    (m.includes(':') ? m.slice(0, m.indexOf(':')) : m).toLowerCase(),
  );

/**
 * What both searches start with: the scope (or Google's 403), the parsed
 * query (or its 400), and the resources in the scope of the asked types.
 */
function searchRequest(
  fake: FakeGoogleCloud,
  req: FakeRequest,
  permission: string,
):
  | {scope: string; node: QueryNode; resources: string[]}
  | {error: FakeResponse} {
  const s = scopeOf(fake, req, permission);
  if ('error' in s) return s;
  const q = parseQuery(req);
  if ('error' in q) return q;
  const typeOk = assetTypesFilter(req);
  const resources = resourcesIn(fake.world, s.scope).filter(n =>
    typeOk(assetTypeOf(n)),
  );
  return {scope: s.scope, node: q.node, resources};
}

export function searchAllIamPolicies(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const s = searchRequest(fake, req, 'cloudasset.assets.searchAllIamPolicies');
  if ('error' in s) return s.error;
  const world = fake.world;
  let unknownField: string | undefined;
  const results = [];
  for (const name of s.resources) {
    const resourceWords = words(fullName(name));
    const matching = bindingsOf(world, name).filter(b => {
      const policyWords = words(
        [
          b.role,
          ...b.members,
          b.condition?.title ?? '',
          b.condition?.description ?? '',
          b.condition?.expression ?? '',
        ].join(' '),
      );
      return evaluate(s.node, (field, value, exact) => {
        switch (field?.toLowerCase()) {
          case undefined:
            return wordMatch(value, [...policyWords, ...resourceWords]);
          case 'policy':
            return wordMatch(value, policyWords);
          case 'roles':
            return exact
              ? b.role.toLowerCase() === value.toLowerCase()
              : wordMatch(value, words(b.role));
          case 'membertypes':
            return MEMBER_TYPES(b).includes(value.toLowerCase());
          case 'resource':
            return exact
              ? fullName(name) === value
              : wordMatch(value, resourceWords);
          default:
            unknownField = field;
            return false;
        }
      });
    });
    if (matching.length) {
      results.push({
        resource: fullName(name),
        assetType: assetTypeOf(name),
        ...location(world, name),
        policy: {bindings: matching},
      });
    }
  }
  return searchAnswer(fake, req, results, `iam ${s.scope}`, unknownField);
}

function resourceResult(world: World, name: string): Record<string, unknown> {
  const parent = parentOf(world, name);
  const [kind, id] = name.split('/');
  const project = kind === 'projects' ? findProject(world, id!) : undefined;
  const folder =
    kind === 'folders'
      ? (world.folders ?? []).find(f => f.name === name)
      : undefined;
  return {
    name: fullName(name),
    assetType: assetTypeOf(name),
    ...location(world, name),
    displayName:
      project?.displayName ??
      project?.projectId ??
      folder?.displayName ??
      world.organization?.displayName ??
      id,
    state: project?.state ?? 'ACTIVE',
    ...(project ? {additionalAttributes: {projectId: project.projectId}} : {}),
    ...(project?.labels ? {labels: project.labels} : {}),
    ...(parent
      ? {
          parentFullResourceName: fullName(parent),
          parentAssetType: assetTypeOf(parent),
        }
      : {}),
  };
}

export function searchAllResources(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const s = searchRequest(fake, req, 'cloudasset.assets.searchAllResources');
  if ('error' in s) return s.error;
  const world = fake.world;
  let unknownField: string | undefined;
  const results = s.resources
    .map(n => resourceResult(world, n))
    .filter(r =>
      evaluate(s.node, (field, value, exact) => {
        const text = (v: unknown): string =>
          Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : '';
        const f = field?.toLowerCase();
        if (f === undefined) {
          return wordMatch(
            value,
            words(`${text(r.name)} ${text(r.displayName)}`),
          );
        }
        if (f.startsWith('labels.')) {
          const labels = (r.labels ?? {}) as Record<string, string>;
          const v = labels[f.slice('labels.'.length)];
          return value === '*'
            ? v !== undefined
            : v !== undefined && wordMatch(value, words(v));
        }
        const key = {
          name: 'name',
          displayname: 'displayName',
          state: 'state',
          project: 'project',
          folders: 'folders',
          organization: 'organization',
          parentfullresourcename: 'parentFullResourceName',
          parentassettype: 'parentAssetType',
          assettype: 'assetType',
        }[f];
        if (!key) {
          unknownField = field;
          return false;
        }
        const v = text(r[key]);
        return exact
          ? v.split(' ').some(x => x.toLowerCase() === value.toLowerCase())
          : wordMatch(value, words(v));
      }),
    );
  return searchAnswer(fake, req, results, `res ${s.scope}`, unknownField);
}

/**
 * The answer of both search methods: 400 for a query field the fake does not
 * know, else one page of the results (the page token is bound to the query).
 */
function searchAnswer(
  fake: FakeGoogleCloud,
  req: FakeRequest,
  results: unknown[],
  queryKey: string,
  unknownField: string | undefined,
): FakeResponse {
  if (unknownField)
    return googleError(
      400,
      `Invalid query: the fake does not support the field "${unknownField}".`,
    );
  const paged = paginate(
    fake,
    results,
    {
      pageSize: req.query.get('pageSize'),
      pageToken: req.query.get('pageToken'),
    },
    `${queryKey} ${req.query.get('query')} ${req.query.getAll('assetTypes').join(',')}`,
    {defaultSize: 100, maxSize: 500},
  );
  if ('error' in paged) return paged.error;
  return {
    status: 200,
    body: {
      ...(paged.page.length ? {results: paged.page} : {}),
      ...(paged.nextPageToken ? {nextPageToken: paged.nextPageToken} : {}),
    },
  };
}

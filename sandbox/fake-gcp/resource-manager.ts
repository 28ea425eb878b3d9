/**
 * Resource Manager v3: `projects.getIamPolicy`, `projects.setIamPolicy` and
 * `projects.search`.
 *
 * References: https://cloud.google.com/resource-manager/reference/rest/v3/projects/getIamPolicy,
 * …/v3/projects/setIamPolicy (the update mask defaults to `bindings,etag`),
 * …/v3/projects/search (the query language; see search-query.ts), and
 * https://cloud.google.com/iam/docs/policies#etag (a stale etag is 409 ABORTED).
 */
import {CRM, canonical, findProject} from './hierarchy';
import {
  denied,
  permissionDenied,
  policyForVersion,
  storedPolicy,
  validatePolicy,
  writePolicy,
} from './iam';
import {paginate} from './paging';
import {matchesProjectQuery, parseProjectQuery} from './search-query';
import type {
  FakeRequest,
  FakeResponse,
  FakeRoute,
  FakeGoogleCloud,
} from './server';
import {googleError} from './server';
import type {WorldPolicy, WorldProject} from './world';

const DOMAIN = 'cloudresourcemanager.googleapis.com';

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null
    ? (v as Record<string, unknown>)
    : {};
}

/** Resolves the project of the path, or the 403 Google answers for an unknown one. */
function resolve(
  fake: FakeGoogleCloud,
  raw: string | undefined,
  permission: string,
): {name: string} | {error: FakeResponse} {
  const id = decodeURIComponent(raw ?? '');
  const name = canonical(fake.world, `projects/${id}`);
  if (!name || denied(fake, permission)) {
    return {
      error: permissionDenied(permission, `${CRM}projects/${id}`, DOMAIN),
    };
  }
  return {name};
}

function getIamPolicy(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const r = resolve(
    fake,
    req.params[0],
    'resourcemanager.projects.getIamPolicy',
  );
  if ('error' in r) return r.error;
  const requested = Number(
    record(record(req.body).options).requestedPolicyVersion ?? 0,
  );
  if (![0, 1, 3].includes(requested)) {
    return googleError(
      400,
      `Invalid requested policy version ${requested}; valid versions are 1 and 3.`,
    );
  }
  return {
    status: 200,
    body: policyForVersion(storedPolicy(fake.world, r.name), requested),
  };
}

function setIamPolicy(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const r = resolve(
    fake,
    req.params[0],
    'resourcemanager.projects.setIamPolicy',
  );
  if ('error' in r) return r.error;
  const body = record(req.body);
  if (typeof body.policy !== 'object' || body.policy === null) {
    return googleError(400, 'Invalid JSON payload: "policy" is required.');
  }
  const incoming = body.policy as WorldPolicy;
  const current = storedPolicy(fake.world, r.name);
  // A write without an etag overwrites blindly, as IAM allows.
  if (incoming.etag !== undefined && incoming.etag !== current.etag) {
    return googleError(
      409,
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    );
  }
  const checked = validatePolicy(incoming);
  if ('error' in checked) return checked.error;
  const mask =
    typeof body.updateMask === 'string' && body.updateMask.trim()
      ? body.updateMask.split(',').map(f => f.trim())
      : ['bindings', 'etag'];
  const written = writePolicy(
    fake.world,
    r.name,
    checked.bindings,
    incoming,
    mask,
  );
  return {status: 200, body: policyForVersion(written, 3)};
}

/** A project in v3's format. */
export function projectResource(p: WorldProject): Record<string, unknown> {
  return {
    name: `projects/${p.projectNumber}`,
    parent: p.parent,
    projectId: p.projectId,
    state: p.state ?? 'ACTIVE',
    displayName: p.displayName ?? p.projectId,
    createTime: '2024-01-01T00:00:00.000Z',
    updateTime: '2024-01-01T00:00:00.000Z',
    etag: `W/"${p.projectNumber}"`,
    ...(p.labels ? {labels: p.labels} : {}),
  };
}

function searchProjects(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  if (denied(fake, 'resourcemanager.projects.get')) {
    // search never answers 403: it returns what the caller may see, nothing here.
    return {status: 200, body: {}};
  }
  const query = req.query.get('query') ?? '';
  const parsed = parseProjectQuery(query);
  if ('error' in parsed) return googleError(400, parsed.error);
  const matches = (fake.world.projects ?? []).filter(p =>
    matchesProjectQuery(parsed.query, p),
  );
  const paged = paginate(
    fake,
    matches,
    {
      pageSize: req.query.get('pageSize'),
      pageToken: req.query.get('pageToken'),
    },
    `search ${query}`,
    {defaultSize: 100, maxSize: 500},
  );
  if ('error' in paged) return paged.error;
  return {
    status: 200,
    body: {
      ...(paged.page.length ? {projects: paged.page.map(projectResource)} : {}),
      ...(paged.nextPageToken ? {nextPageToken: paged.nextPageToken} : {}),
    },
  };
}

function getProject(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const id = decodeURIComponent(req.params[0] ?? '');
  const p = findProject(fake.world, id);
  if (!p || denied(fake, 'resourcemanager.projects.get')) {
    return permissionDenied(
      'resourcemanager.projects.get',
      `${CRM}projects/${id}`,
      DOMAIN,
    );
  }
  return {status: 200, body: projectResource(p)};
}

export const resourceManagerRoutes: FakeRoute[] = [
  {
    name: 'cloudresourcemanager.projects.search',
    method: 'GET',
    pattern: /^\/v3\/projects:search$/,
    handle: searchProjects,
  },
  {
    name: 'cloudresourcemanager.projects.getIamPolicy',
    method: 'POST',
    pattern: /^\/v3\/projects\/([^/:]+):getIamPolicy$/,
    handle: getIamPolicy,
  },
  {
    name: 'cloudresourcemanager.projects.setIamPolicy',
    method: 'POST',
    pattern: /^\/v3\/projects\/([^/:]+):setIamPolicy$/,
    handle: setIamPolicy,
  },
  {
    name: 'cloudresourcemanager.projects.get',
    method: 'GET',
    pattern: /^\/v3\/projects\/([^/:]+)$/,
    handle: getProject,
  },
];

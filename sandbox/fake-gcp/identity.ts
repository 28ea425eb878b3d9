/**
 * Cloud Identity v1 groups: `groups.lookup`,
 * `groups.memberships.searchTransitiveGroups`, `…searchDirectGroups`,
 * `…searchTransitiveMemberships` and `…list`, computed from the world's
 * nested groups.
 *
 * References: https://cloud.google.com/identity/docs/reference/rest/v1/groups.memberships/searchTransitiveGroups
 * (the query must name the member and the label
 * `'cloudidentity.googleapis.com/groups.discussion_forum' in labels`; the
 * method needs Google Workspace Enterprise, Cloud Identity Premium or an
 * equivalent edition), …/searchDirectGroups, …/searchTransitiveMemberships,
 * …/groups.memberships/list and …/groups/lookup. With `world.identityPremium`
 * false, both transitive methods answer 403 as for an account without that
 * edition. `world.deniedPermissions` containing `cloudidentity.groups.read`
 * plays a service account without the Groups Reader admin role.
 */
import {createHash} from 'crypto';
import {
  directGroupsOf,
  findGroup,
  findGroupByName,
  groupName,
  transitiveGroupsOf,
  transitiveMembersOf,
} from './groups';
import {paginate} from './paging';
import type {
  FakeGoogleCloud,
  FakeRequest,
  FakeResponse,
  FakeRoute,
} from './server';
import {googleError} from './server';
import type {World, WorldGroup} from './world';

const DISCUSSION_FORUM = 'cloudidentity.googleapis.com/groups.discussion_forum';
const LABELS = {[DISCUSSION_FORUM]: ''};

/** The refusal of an account without a premium edition. */
export const EDITION_REFUSAL =
  'Error(2015): This feature requires Google Workspace Enterprise, Cloud Identity Premium or an equivalent edition; the customer does not have it.';

function refused(
  fake: FakeGoogleCloud,
  resource: string,
): FakeResponse | undefined {
  if (fake.world.deniedPermissions?.includes('cloudidentity.groups.read')) {
    return googleError(
      403,
      `Error(2028): Permission denied for resource ${resource} (or it may not exist).`,
    );
  }
  return undefined;
}

function editionRefused(fake: FakeGoogleCloud): FakeResponse | undefined {
  return fake.world.identityPremium === false
    ? googleError(403, EDITION_REFUSAL)
    : undefined;
}

const lower = (s: string) => s.toLowerCase();

/** Cloud Identity's resource name of a member: `users/<id>` or `groups/<id>`. */
function memberName(world: World, email: string): string {
  const g = findGroup(world, email);
  return g
    ? groupName(g)
    : `users/${createHash('sha1').update(lower(email)).digest('hex').slice(0, 21)}`;
}

/**
 * The member a query names: `member_key_id == 'x'` (either quote, spaces
 * optional), and whether it carries the labels clause.
 */
function parseMemberQuery(query: string): {member?: string; hasLabel: boolean} {
  const m = /member_key_id\s*==\s*(['"])([^'"]+)\1/.exec(query);
  const label = new RegExp(
    `(['"])${DISCUSSION_FORUM.replace(/\./g, '\\.')}\\1\\s+in\\s+labels`,
  ).test(query);
  return {member: m?.[2], hasLabel: label};
}

function page<T>(
  fake: FakeGoogleCloud,
  req: FakeRequest,
  items: T[],
  key: string,
  field: string,
): FakeResponse {
  const paged = paginate(
    fake,
    items,
    {
      pageSize: req.query.get('pageSize'),
      pageToken: req.query.get('pageToken'),
    },
    key,
    {defaultSize: 200, maxSize: 1000},
  );
  if ('error' in paged) return paged.error;
  return {
    status: 200,
    body: {
      ...(paged.page.length ? {[field]: paged.page} : {}),
      ...(paged.nextPageToken ? {nextPageToken: paged.nextPageToken} : {}),
    },
  };
}

function groupByPath(
  fake: FakeGoogleCloud,
  req: FakeRequest,
): WorldGroup | FakeResponse {
  const name = `groups/${decodeURIComponent(req.params[0] ?? '')}`;
  const denied = refused(fake, name);
  if (denied) return denied;
  const g = findGroupByName(fake.world, name);
  return (
    g ??
    googleError(
      403,
      `Error(2028): Permission denied for resource ${name} (or it may not exist).`,
    )
  );
}

function searchTransitiveGroups(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const denied = refused(fake, 'groups/-') ?? editionRefused(fake);
  if (denied) return denied;
  const query = req.query.get('query') ?? '';
  const {member, hasLabel} = parseMemberQuery(query);
  if (!member || !hasLabel) {
    return googleError(
      400,
      `Request contains an invalid argument: the query must be of the form member_key_id == '<email>' && '${DISCUSSION_FORUM}' in labels.`,
    );
  }
  const world = fake.world;
  const direct = new Set(
    directGroupsOf(world, member).map(g => lower(g.email)),
  );
  const results = transitiveGroupsOf(world, member).map(g => {
    const isDirect = direct.has(lower(g.email));
    // A group reached both directly and through another group is both.
    const indirect = transitiveGroupsOf(world, member).some(
      other =>
        lower(other.email) !== lower(g.email) &&
        other.members.some(m => lower(m) === lower(g.email)),
    );
    return {
      groupKey: {id: lower(g.email)},
      group: groupName(g),
      displayName: g.displayName ?? g.email,
      labels: LABELS,
      relationType:
        isDirect && indirect
          ? 'DIRECT_AND_INDIRECT'
          : isDirect
            ? 'DIRECT'
            : 'INDIRECT',
      roles: [{role: 'MEMBER'}],
    };
  });
  return page(fake, req, results, `tg ${query}`, 'memberships');
}

function searchDirectGroups(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const denied = refused(fake, 'groups/-');
  if (denied) return denied;
  const query = req.query.get('query') ?? '';
  const {member} = parseMemberQuery(query);
  if (!member) {
    return googleError(
      400,
      "Request contains an invalid argument: the query must name member_key_id == '<email>'.",
    );
  }
  const world = fake.world;
  const results = directGroupsOf(world, member).map(g => ({
    group: groupName(g),
    groupKey: {id: lower(g.email)},
    displayName: g.displayName ?? g.email,
    labels: LABELS,
    membership: `${groupName(g)}/memberships/${memberName(world, member).split('/')[1]}`,
    roles: [{name: 'MEMBER'}],
  }));
  return page(fake, req, results, `dg ${query}`, 'memberships');
}

function lookup(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const id = req.query.get('groupKey.id');
  if (!id)
    return googleError(
      400,
      'Request contains an invalid argument: groupKey.id is required.',
    );
  const denied = refused(fake, 'groups:lookup');
  if (denied) return denied;
  const g = findGroup(fake.world, id);
  if (!g) return googleError(404, `Error(4003): Group ${id} does not exist.`);
  return {status: 200, body: {name: groupName(g)}};
}

function searchTransitiveMemberships(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const g = groupByPath(fake, req);
  if (!('email' in g)) return g;
  const edition = editionRefused(fake);
  if (edition) return edition;
  const world = fake.world;
  const direct = new Set(g.members.map(lower));
  const results = transitiveMembersOf(world, g.email).map(m => ({
    member: memberName(world, m.email),
    preferredMemberKey: [{id: m.email}],
    relationType: direct.has(m.email) ? 'DIRECT' : 'INDIRECT',
    roles: [{role: 'MEMBER'}],
  }));
  return page(fake, req, results, `tm ${groupName(g)}`, 'memberships');
}

function listMemberships(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const g = groupByPath(fake, req);
  if (!('email' in g)) return g;
  const world = fake.world;
  const full = req.query.get('view') === 'FULL';
  const results = g.members.map(m => {
    const isGroup = findGroup(world, m) !== undefined;
    return {
      name: `${groupName(g)}/memberships/${memberName(world, m).split('/')[1]}`,
      preferredMemberKey: {id: lower(m)},
      roles: [{name: 'MEMBER'}],
      ...(full ? {type: isGroup ? 'GROUP' : 'USER'} : {}),
    };
  });
  return page(fake, req, results, `ml ${groupName(g)} ${full}`, 'memberships');
}

export const identityRoutes: FakeRoute[] = [
  {
    name: 'cloudidentity.groups.memberships.searchTransitiveGroups',
    method: 'GET',
    pattern: /^\/v1\/groups\/-\/memberships:searchTransitiveGroups$/,
    handle: searchTransitiveGroups,
  },
  {
    name: 'cloudidentity.groups.memberships.searchDirectGroups',
    method: 'GET',
    pattern: /^\/v1\/groups\/-\/memberships:searchDirectGroups$/,
    handle: searchDirectGroups,
  },
  {
    name: 'cloudidentity.groups.lookup',
    method: 'GET',
    pattern: /^\/v1\/groups:lookup$/,
    handle: lookup,
  },
  {
    name: 'cloudidentity.groups.memberships.searchTransitiveMemberships',
    method: 'GET',
    pattern:
      /^\/v1\/groups\/([^/:]+)\/memberships:searchTransitiveMemberships$/,
    handle: searchTransitiveMemberships,
  },
  {
    name: 'cloudidentity.groups.memberships.list',
    method: 'GET',
    pattern: /^\/v1\/groups\/([^/:]+)\/memberships$/,
    handle: listMemberships,
  },
];

/**
 * DirectoryPort on Cloud Identity v1's REST API
 * (https://cloud.google.com/identity/docs/reference/rest), sent as plain
 * authorised requests through the instance's auth client (auth.ts), aimed at
 * `config.endpoints.cloudIdentity`. No client library: the roles listing asks
 * for the caller's groups on a user's first page, and
 * `@googleapis/cloudidentity` (with googleapis-common and its own gaxios)
 * cost about 45 ms of that cold start for five GET methods
 * (docs/design-notes.md, "Cold start").
 *
 * Transitive lookups (`searchTransitiveGroups`, `searchTransitiveMemberships`)
 * need Google Workspace Enterprise, Cloud Identity Premium or an equivalent
 * edition; without it Google answers 403. After the first 403 the adapter
 * walks the direct relations instead (`searchDirectGroups`,
 * `memberships.list`), breadth first, cycle-safe, at most 10 levels deep,
 * logs that once, and keeps doing so for the life of the instance (an
 * edition does not change between two requests). A 403 from the direct
 * methods too means the service account cannot read groups at all (it needs
 * the Groups Reader admin role): that one surfaces as GooglePermissionError.
 */
import type {Config} from '../config';
import {GooglePermissionError, NotFoundError} from '../errors';
import type {Logger} from '../log';
import type {DirectoryPort} from '../ports';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

const DEFAULT_ENDPOINT = 'https://cloudidentity.googleapis.com';
const DISCUSSION_FORUM = 'cloudidentity.googleapis.com/groups.discussion_forum';
/** Nesting levels walked by the fallback. */
export const MAX_GROUP_DEPTH = 10;
const PAGE_SIZE = 500;

/** A page of any list or search method. */
interface Page {
  nextPageToken?: string;
}
interface EntityKey {
  id?: string;
}
/** `searchTransitiveGroups` and `searchDirectGroups`. */
interface GroupRelations extends Page {
  memberships?: Array<{groupKey?: EntityKey}>;
}
/** `memberships.list` with view FULL. */
interface Memberships extends Page {
  memberships?: Array<{preferredMemberKey?: EntityKey; type?: string}>;
}
/** `searchTransitiveMemberships`. */
interface MemberRelations extends Page {
  memberships?: Array<{member?: string; preferredMemberKey?: EntityKey[]}>;
}

/** The query string of the parameters that are set. */
function queryOf(params: Record<string, string | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) query.set(k, v);
  }
  return query;
}

/** A member key inside a Cloud Identity query string literal. */
function quoted(email: string): string {
  return `'${email.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Builds the directory adapter; nothing is loaded until its first call. */
export function makeDirectoryClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): DirectoryPort {
  const policy = retryPolicy(options, config.backend);
  const endpoint = config.endpoints.cloudIdentity ?? DEFAULT_ENDPOINT;
  let transitiveRefused = false;

  /** One GET of `v1/{path}`, retried and translated by the edge. */
  const get = <T>(
    method: string,
    resource: string,
    path: string,
    params: Record<string, string | undefined>,
  ): Promise<T> =>
    callGoogleJson<T>(
      {method: `cloudidentity.${method}`, resource, permission: undefined},
      log,
      policy,
      {
        endpoint: config.endpoints.cloudIdentity,
        url: `${endpoint}/v1/${path}?${queryOf(params)}`,
        method: 'GET',
      },
    );

  /** Reads every page of a list method. */
  async function all<T, R extends Page>(
    read: (pageToken: string | undefined) => Promise<R>,
    items: (r: R) => T[] | null | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const r = await read(token);
      out.push(...(items(r) ?? []));
      token = r.nextPageToken ?? undefined;
    } while (token);
    return out;
  }

  /** Runs a transitive method, or answers undefined when the edition refuses it. */
  async function transitive<T>(run: () => Promise<T>): Promise<T | undefined> {
    if (transitiveRefused) return undefined;
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof GooglePermissionError)) throw err;
      transitiveRefused = true;
      log.warn(
        'Cloud Identity refused a transitive membership search (it needs Google Workspace Enterprise, Cloud Identity Premium or an equivalent edition); walking direct memberships instead, at most 10 levels deep',
        {event: 'directory.editionFallback'},
        {reason: err.message},
      );
      return undefined;
    }
  }

  async function directGroups(email: string): Promise<string[]> {
    const rels = await all(
      token =>
        get<GroupRelations>(
          'groups.memberships.searchDirectGroups',
          `groups of ${email}`,
          'groups/-/memberships:searchDirectGroups',
          {
            query: `member_key_id == ${quoted(email)}`,
            pageSize: String(PAGE_SIZE),
            pageToken: token,
          },
        ),
      r => r.memberships,
    );
    return rels.map(m => m.groupKey?.id?.toLowerCase() ?? '').filter(Boolean);
  }

  /** `groups/<id>` of a group email, or undefined when it does not exist. */
  async function lookup(email: string): Promise<string | undefined> {
    try {
      const r = await get<{name?: string}>(
        'groups.lookup',
        `group ${email}`,
        'groups:lookup',
        {'groupKey.id': email},
      );
      return r.name ?? undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async function directMembers(
    name: string,
  ): Promise<{email: string; isGroup: boolean}[]> {
    const ms = await all(
      token =>
        get<Memberships>(
          'groups.memberships.list',
          name,
          `${name}/memberships`,
          {view: 'FULL', pageSize: String(PAGE_SIZE), pageToken: token},
        ),
      r => r.memberships,
    );
    return ms
      .filter(m => m.preferredMemberKey?.id)
      .map(m => ({
        email: m.preferredMemberKey!.id!.toLowerCase(),
        isGroup: m.type === 'GROUP',
      }));
  }

  return {
    async groupsOf(userEmail) {
      const email = userEmail.toLowerCase();
      const found = await transitive(() =>
        all(
          token =>
            get<GroupRelations>(
              'groups.memberships.searchTransitiveGroups',
              `groups of ${email}`,
              'groups/-/memberships:searchTransitiveGroups',
              {
                query: `member_key_id == ${quoted(email)} && '${DISCUSSION_FORUM}' in labels`,
                pageSize: String(PAGE_SIZE),
                pageToken: token,
              },
            ),
          r => r.memberships,
        ),
      );
      if (found) {
        return [
          ...new Set(
            found.map(m => m.groupKey?.id?.toLowerCase() ?? '').filter(Boolean),
          ),
        ].sort();
      }
      // Breadth first over direct memberships; `seen` breaks cycles.
      const seen = new Set<string>();
      let level = [email];
      for (let depth = 0; depth < MAX_GROUP_DEPTH && level.length; depth++) {
        const next: string[] = [];
        for (const member of level) {
          for (const g of await directGroups(member)) {
            if (!seen.has(g) && g !== email) {
              seen.add(g);
              next.push(g);
            }
          }
        }
        level = next;
      }
      return [...seen].sort();
    },

    async usersIn(groupEmail) {
      const email = groupEmail.toLowerCase();
      const name = await lookup(email);
      if (!name) return [];
      const found = await transitive(() =>
        all(
          token =>
            get<MemberRelations>(
              'groups.memberships.searchTransitiveMemberships',
              name,
              `${name}/memberships:searchTransitiveMemberships`,
              {pageSize: String(PAGE_SIZE), pageToken: token},
            ),
          r => r.memberships,
        ),
      );
      if (found) {
        return [
          ...new Set(
            found
              .filter(m => !m.member?.startsWith('groups/'))
              .map(m => m.preferredMemberKey?.[0]?.id?.toLowerCase() ?? '')
              .filter(Boolean),
          ),
        ].sort();
      }
      const users = new Set<string>();
      const seenGroups = new Set([email]);
      let level = [name];
      for (let depth = 0; depth < MAX_GROUP_DEPTH && level.length; depth++) {
        const next: string[] = [];
        for (const group of level) {
          for (const m of await directMembers(group)) {
            if (!m.isGroup) {
              users.add(m.email);
            } else if (!seenGroups.has(m.email)) {
              seenGroups.add(m.email);
              const nested = await lookup(m.email);
              if (nested) next.push(nested);
            }
          }
        }
        level = next;
      }
      return [...users].sort();
    },
  };
}

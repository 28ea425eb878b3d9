/**
 * GrantStore on Firestore (docs/grants.md): collection
 * `${FIRESTORE_COLLECTION_PREFIX}grants`, one document per grant, `deleteAt`
 * for the TTL policy (GRANT_RETENTION_DAYS after the end). New records and
 * an activation's outcomes are one batch each; a revoke is a transaction.
 * Listings order by `sortKey` (creation time, then id) and page with it.
 */
import {
  CollectionReference,
  Firestore,
  Query,
  Timestamp,
  WhereFilterOp,
} from '@google-cloud/firestore';
import {AppError, InvalidArgumentError, NotFoundError} from '../errors';
import type {Grant} from '../grants/types';
import type {GrantQuery, GrantStore, GrantVerdict} from '../ports';
import {REQUEST_ID_PATTERN} from '../limits';
import {
  FIRESTORE_DEADLINE_MS,
  translateFirestoreError,
  withDeadline,
} from './firestore';

/** One Firestore query, as plain data (checked against firestore.indexes.json). */
export interface GrantQuerySpec {
  filters: Array<{field: string; op: '==' | 'array-contains'; value: unknown}>;
  orderBy: {field: 'sortKey'; direction: 'desc'};
  limit: number;
  startAfter?: string;
}

/** A page token is the sortKey of a page's last record, base64url. */
const SORT_KEY =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z~[A-Za-z0-9_-]{22}$/;

function encodePageToken(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodePageToken(token: string): string {
  const sortKey = /^[A-Za-z0-9_-]{1,200}$/.test(token)
    ? Buffer.from(token, 'base64url').toString('utf8')
    : '';
  if (!SORT_KEY.test(sortKey)) {
    throw new InvalidArgumentError(
      'pageToken is not one this API answered; start again without it',
    );
  }
  return sortKey;
}

/** The query that answers a GrantQuery: one Firestore query, no merging. */
export function grantQuerySpec(q: GrantQuery): GrantQuerySpec {
  const filters: GrantQuerySpec['filters'] = [];
  if (q.as === 'holder')
    filters.push({field: 'user', op: '==', value: q.email});
  if (q.as === 'reviewer') {
    filters.push({field: 'approvers', op: 'array-contains', value: q.email});
  }
  if (q.as === 'auditor' && q.user !== undefined) {
    filters.push({field: 'user', op: '==', value: q.user});
  }
  if (q.project !== undefined) {
    filters.push({field: 'project', op: '==', value: q.project});
  }
  if (q.state !== undefined) {
    filters.push({field: 'state', op: '==', value: q.state});
  }
  return {
    filters,
    orderBy: {field: 'sortKey', direction: 'desc'},
    // One more than asked, to know whether there is a next page.
    limit: q.limit + 1,
    ...(q.pageToken === undefined
      ? {}
      : {startAfter: decodePageToken(q.pageToken)}),
  };
}

function applySpec(
  collection: CollectionReference,
  spec: GrantQuerySpec,
): Query {
  let query: Query = collection;
  for (const f of spec.filters) {
    query = query.where(f.field, f.op as WhereFilterOp, f.value);
  }
  query = query.orderBy(spec.orderBy.field, spec.orderBy.direction);
  if (spec.startAfter !== undefined) query = query.startAfter(spec.startAfter);
  return query.limit(spec.limit);
}

const DAY_MS = 24 * 60 * 60 * 1000;

type StoredDocument = Grant & {deleteAt: Timestamp};

export interface FirestoreGrantStoreOptions {
  firestore: Firestore;
  collectionPrefix: string;
  /** For error messages. */
  database: string;
  /** Days a record is kept after its end (GRANT_RETENTION_DAYS). */
  retentionDays: number;
  /** Counts Firestore operations, for the benchmark. */
  onOperation?: (kind: 'read' | 'query' | 'write' | 'transaction') => void;
  /** Per operation; default FIRESTORE_DEADLINE_MS. */
  deadlineMs?: number;
}

/** Builds the Firestore-backed GrantStore. */
export function makeFirestoreGrantStore(
  options: FirestoreGrantStoreOptions,
): GrantStore {
  const {firestore, database, retentionDays} = options;
  const collection = firestore.collection(`${options.collectionPrefix}grants`);
  const count = options.onOperation ?? (() => {});
  const translate = (err: unknown) => translateFirestoreError(err, database);
  const deadlineMs = options.deadlineMs ?? FIRESTORE_DEADLINE_MS;
  const bounded = <T>(operation: Promise<T>) =>
    withDeadline(operation, deadlineMs);

  function toDocument(grant: Grant): StoredDocument {
    return {
      ...grant,
      deleteAt: Timestamp.fromMillis(
        Date.parse(grant.end) + retentionDays * DAY_MS,
      ),
    };
  }

  function fromDocument(data: Record<string, unknown> | undefined) {
    if (!data) return undefined;
    const {deleteAt, ...grant} = data as unknown as StoredDocument;
    void deleteAt; // storage only
    return grant as Grant;
  }

  async function run<T>(
    kind: 'read' | 'query' | 'write' | 'transaction',
    operation: () => Promise<T>,
  ): Promise<T> {
    count(kind);
    try {
      return await bounded(operation());
    } catch (e) {
      throw translate(e);
    }
  }

  return {
    async createAll(grants) {
      if (grants.length === 0) return;
      const batch = firestore.batch();
      for (const g of grants) batch.create(collection.doc(g.id), toDocument(g));
      await run('write', () => batch.commit());
    },

    async putAll(grants) {
      if (grants.length === 0) return;
      const batch = firestore.batch();
      for (const g of grants) batch.set(collection.doc(g.id), toDocument(g));
      await run('write', () => batch.commit());
    },

    async get(id) {
      if (!REQUEST_ID_PATTERN.test(id)) return undefined;
      const snapshot = await run('read', () => collection.doc(id).get());
      return fromDocument(snapshot.data());
    },

    async change(id, decide) {
      if (!REQUEST_ID_PATTERN.test(id)) {
        const refused = decide(undefined);
        throw refused.ok ? new NotFoundError('Grant not found') : refused.error;
      }
      const ref = collection.doc(id);
      const verdict = await run('transaction', () =>
        firestore.runTransaction(async tx => {
          const current = fromDocument((await tx.get(ref)).data());
          let v: GrantVerdict;
          try {
            v = decide(current);
          } catch (e) {
            // Never let an error escape: the client retries errors with a code.
            return {ok: false, error: e as AppError} as GrantVerdict;
          }
          if (v.ok && current && v.grant !== current) {
            tx.set(ref, toDocument(v.grant));
          }
          return v;
        }),
      );
      if (!verdict.ok) throw verdict.error;
      return verdict.grant;
    },

    async list(q) {
      const spec = grantQuerySpec(q);
      const snapshot = await run('query', () =>
        applySpec(collection, spec).get(),
      );
      const grants = snapshot.docs.flatMap(d => fromDocument(d.data()) ?? []);
      if (grants.length <= q.limit) return {grants};
      const page = grants.slice(0, q.limit);
      return {
        grants: page,
        nextPageToken: encodePageToken(page[page.length - 1]!.sortKey),
      };
    },

    async listRecent(since) {
      const at = since.toISOString();
      const [ending, changed] = await Promise.all([
        run('query', () => collection.where('end', '>', at).get()),
        run('query', () => collection.where('updatedAt', '>', at).get()),
      ]);
      const byId = new Map<string, Grant>();
      for (const d of [...ending.docs, ...changed.docs]) {
        const g = fromDocument(d.data());
        if (g) byId.set(g.id, g);
      }
      return [...byId.values()];
    },
  };
}

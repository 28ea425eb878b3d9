/**
 * RequestStore on Firestore (docs/design.md §5): collection
 * `${FIRESTORE_COLLECTION_PREFIX}requests`, one document per request, every
 * change a transaction that re-reads the document, `deleteAt` for the TTL
 * policy. Queries are described as QuerySpecs first, so a test can check each
 * one the store issues against firestore.indexes.json.
 */
import {
  CollectionReference,
  Firestore,
  Query,
  Timestamp,
  WhereFilterOp,
} from '@google-cloud/firestore';
import type {RequestStore} from '../ports';
import type {Verdict} from '../approvals/transition';
import {
  AccessRequest,
  ChatStatus,
  EventStatus,
  FINAL_STATES,
  NotificationStatus,
  RETENTION_DAYS,
} from '../approvals/types';
import {AppError, NotFoundError} from '../errors';

/**
 * Document ids Firestore reserves (it refuses them with INVALID_ARGUMENT,
 * after retries): no request can have one, so they are not looked up.
 */
const RESERVED_ID = /^__.*__$/;
import {
  FIRESTORE_DEADLINE_MS,
  translateFirestoreError,
  withDeadline,
} from './firestore';
import {
  querySpecs,
  requestsCollection,
  type QuerySpec,
} from './request-queries';

export {querySpecs, type QuerySpec};

function applySpec(collection: CollectionReference, spec: QuerySpec): Query {
  let query: Query = collection;
  for (const f of spec.filters) {
    query = query.where(f.field, f.op as WhereFilterOp, f.value);
  }
  return query
    .orderBy(spec.orderBy.field, spec.orderBy.direction)
    .limit(spec.limit);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When the TTL policy may delete the document: 30 days after the final
 * decision, or after expiry while it is open (and never before an activation
 * it records has ended).
 */
export function deleteAtOf(request: AccessRequest): Date {
  const base =
    FINAL_STATES.has(request.state) && request.decidedAt
      ? Date.parse(request.decidedAt)
      : Date.parse(request.expiresAt);
  const activationEnd = request.activation
    ? Date.parse(request.activation.end)
    : 0;
  return new Date(Math.max(base, activationEnd) + RETENTION_DAYS * DAY_MS);
}

type StoredDocument = AccessRequest & {deleteAt: Timestamp};

function toDocument(request: AccessRequest): StoredDocument {
  return {...request, deleteAt: Timestamp.fromDate(deleteAtOf(request))};
}

function fromDocument(
  data: FirebaseData | undefined,
): AccessRequest | undefined {
  if (!data) return undefined;
  const {deleteAt, ...request} = data as unknown as StoredDocument;
  void deleteAt; // storage only: never part of the Request
  return request;
}

type FirebaseData = Record<string, unknown>;

export interface FirestoreRequestStoreOptions {
  firestore: Firestore;
  collectionPrefix: string;
  /** For error messages. */
  database: string;
  /** Counts Firestore operations, for the benchmark. */
  onOperation?: (kind: 'read' | 'query' | 'write' | 'transaction') => void;
  /** Per operation; default FIRESTORE_DEADLINE_MS. */
  deadlineMs?: number;
}

/** Builds the Firestore-backed RequestStore. */
export function makeFirestoreRequestStore(
  options: FirestoreRequestStoreOptions,
): RequestStore {
  const {firestore, database} = options;
  const collection = firestore.collection(
    requestsCollection(options.collectionPrefix),
  );
  const count = options.onOperation ?? (() => {});
  const translate = (err: unknown) => translateFirestoreError(err, database);
  const deadlineMs = options.deadlineMs ?? FIRESTORE_DEADLINE_MS;
  const bounded = <T>(operation: Promise<T>) =>
    withDeadline(operation, deadlineMs);

  /** One field of a request's record, touching nothing else. */
  async function setField(id: string, field: Partial<AccessRequest>) {
    count('write');
    try {
      await bounded(collection.doc(id).update(field));
    } catch (e) {
      throw translate(e);
    }
  }

  return {
    async create(request) {
      count('write');
      try {
        await bounded(collection.doc(request.id).create(toDocument(request)));
      } catch (e) {
        throw translate(e);
      }
    },

    async get(id) {
      if (RESERVED_ID.test(id)) return undefined;
      count('read');
      try {
        return fromDocument((await bounded(collection.doc(id).get())).data());
      } catch (e) {
        throw translate(e);
      }
    },

    async change(id, decide) {
      if (RESERVED_ID.test(id)) {
        const refused = decide(undefined);
        if (!refused.ok) throw refused.error;
        throw new NotFoundError('Request not found');
      }
      count('transaction');
      const ref = collection.doc(id);
      let verdict: Verdict;
      try {
        verdict = await bounded(
          firestore.runTransaction(async tx => {
            const snapshot = await tx.get(ref);
            const current = fromDocument(snapshot.data());
            let v: Verdict;
            try {
              v = decide(current);
            } catch (e) {
              // Never let an error escape the callback: the client would retry
              // it if it carried a numeric code (docs/design.md §5).
              return {ok: false, error: e as AppError} as Verdict;
            }
            if (v.ok && current && v.request !== current) {
              tx.set(ref, toDocument(v.request));
            }
            return v;
          }),
        );
      } catch (e) {
        throw translate(e);
      }
      if (!verdict.ok) throw verdict.error;
      return {request: verdict.request, activate: verdict.activate};
    },

    setNotification: (id, status: NotificationStatus) =>
      setField(id, {notification: status}),
    setEvent: (id, status: EventStatus) => setField(id, {event: status}),
    setChat: (id, status: ChatStatus) => setField(id, {chat: status}),

    async listByState(state, limit) {
      count('query');
      try {
        const snapshot = await bounded(
          collection.where('state', '==', state).limit(limit).get(),
        );
        return snapshot.docs.flatMap(d => fromDocument(d.data()) ?? []);
      } catch (e) {
        throw translate(e);
      }
    },

    async list(q) {
      count('query');
      try {
        const snapshot = await bounded(
          applySpec(collection, querySpecs(q)).get(),
        );
        return snapshot.docs.flatMap(d => fromDocument(d.data()) ?? []);
      } catch (e) {
        throw translate(e);
      }
    },
  };
}

/**
 * Reads the request store over Firestore's REST API (`documents:runQuery`,
 * https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases.documents/runQuery),
 * as a plain authorised request through the instance's auth client. Only the
 * roles listing uses it, for its pending markers: `@google-cloud/firestore`
 * loads google-gax with gRPC and builds a gRPC channel, about 250 ms of CPU
 * that a user's first page would otherwise wait for (docs/design-notes.md,
 * "Cold start"). Every write and transaction stays with the client library
 * (firestore-requests.ts); the queries are the same QuerySpecs, so the same
 * indexes answer them.
 *
 * Against the emulator (FIRESTORE_EMULATOR_HOST) it sends plain http with the
 * emulator's `Bearer owner`, as the client library does.
 */
import type {AccessRequest} from '../approvals/types';
import type {Config} from '../config';
import type {Logger} from '../log';
import type {RequestQuery} from '../ports';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';
import {
  querySpecs,
  requestsCollection,
  type QuerySpec,
} from './request-queries';

/** A Firestore `Value` in the REST API's JSON. */
export interface RestValue {
  nullValue?: null;
  booleanValue?: boolean;
  integerValue?: string;
  doubleValue?: number | string;
  timestampValue?: string;
  stringValue?: string;
  bytesValue?: string;
  referenceValue?: string;
  geoPointValue?: {latitude?: number; longitude?: number};
  arrayValue?: {values?: RestValue[]};
  mapValue?: {fields?: Record<string, RestValue>};
}

/** Decodes a REST `Value` into the plain value the client library would give. */
export function fromRestValue(v: RestValue): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('integerValue' in v) return Number(v.integerValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('booleanValue' in v) return v.booleanValue;
  if ('nullValue' in v) return null;
  if ('timestampValue' in v) return v.timestampValue;
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(fromRestValue);
  if ('mapValue' in v) return fromRestFields(v.mapValue?.fields);
  if ('referenceValue' in v) return v.referenceValue;
  if ('bytesValue' in v) return v.bytesValue;
  if ('geoPointValue' in v) return v.geoPointValue;
  throw new Error(`an unknown Firestore value: ${Object.keys(v).join(',')}`);
}

export function fromRestFields(
  fields: Record<string, RestValue> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields ?? {})) out[k] = fromRestValue(v);
  return out;
}

/** A filter value (strings only, as the store's queries use). */
function toRestValue(v: unknown): RestValue {
  if (typeof v !== 'string') {
    throw new Error(`only string filter values are sent, not ${typeof v}`);
  }
  return {stringValue: v};
}

/** A QuerySpec as the REST API's `structuredQuery`. */
export function structuredQuery(collectionId: string, spec: QuerySpec) {
  const filters = spec.filters.map(f => ({
    fieldFilter: {
      field: {fieldPath: f.field},
      op: f.op === '==' ? 'EQUAL' : 'ARRAY_CONTAINS',
      value: toRestValue(f.value),
    },
  }));
  return {
    from: [{collectionId}],
    where:
      filters.length === 1
        ? filters[0]
        : {compositeFilter: {op: 'AND', filters}},
    orderBy: [
      {
        field: {fieldPath: spec.orderBy.field},
        direction:
          spec.orderBy.direction === 'asc' ? 'ASCENDING' : 'DESCENDING',
      },
    ],
    limit: spec.limit,
  };
}

/** One element of runQuery's answer (a JSON array). */
interface RunQueryElement {
  document?: {name?: string; fields?: Record<string, RestValue>};
}

export interface RequestReader {
  list(query: RequestQuery): Promise<AccessRequest[]>;
}

/** Builds the REST reader; nothing is loaded or fetched until its first call. */
export function makeFirestoreRestReader(
  config: Config,
  log: Logger,
  options?: AdapterOptions & {
    /** The project without GOOGLE_CLOUD_PROJECT (the metadata server's). */
    projectId?: () => Promise<string>;
  },
): RequestReader {
  const policy = retryPolicy(options, config.backend);
  const emulator = config.firestore.emulatorHost;
  const endpoint = emulator
    ? `http://${emulator}`
    : 'https://firestore.googleapis.com';
  const collectionId = requestsCollection(config.firestore.collectionPrefix);
  const projectId = async () => {
    if (config.projectId) return config.projectId;
    if (options?.projectId) return options.projectId();
    throw new Error('GOOGLE_CLOUD_PROJECT is needed to read Firestore');
  };

  return {
    async list(q) {
      const database = `projects/${await projectId()}/databases/${config.firestore.database}`;
      const elements = await callGoogleJson<RunQueryElement[]>(
        {
          method: 'firestore.documents.runQuery',
          permission: 'datastore.entities.list',
          resource: database,
        },
        log,
        policy,
        {
          // The emulator gets no credentials but its administrator's, as the
          // client library sends them.
          endpoint: emulator ? endpoint : undefined,
          url: `${endpoint}/v1/${database}/documents:runQuery`,
          method: 'POST',
          data: {structuredQuery: structuredQuery(collectionId, querySpecs(q))},
          ...(emulator ? {headers: {Authorization: 'Bearer owner'}} : {}),
        },
      );
      return elements.flatMap(e => {
        if (!e.document) return [];
        const {deleteAt, ...request} = fromRestFields(e.document.fields);
        void deleteAt; // storage only: never part of the request
        return [request as unknown as AccessRequest];
      });
    },
  };
}

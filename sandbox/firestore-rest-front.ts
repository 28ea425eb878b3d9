/**
 * A REST front for the npm fallback emulator, which speaks only gRPC: one
 * port that hands HTTP/2 (gRPC, the client library) to the emulator and
 * answers HTTP/1.1 `documents:runQuery` (what shared/google/firestore-rest.ts
 * sends) by running the same query through the client library. Only what the
 * product's REST reader sends is understood: equality and array-contains
 * filters on strings, joined by AND, one order and a limit. Google's emulator
 * needs none of this: it serves REST itself.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type {Firestore, Query, WhereFilterOp} from '@google-cloud/firestore';

interface FieldFilter {
  field: {fieldPath: string};
  op: 'EQUAL' | 'ARRAY_CONTAINS';
  value: {stringValue: string};
}
interface StructuredQuery {
  from: Array<{collectionId: string}>;
  where?: {
    fieldFilter?: FieldFilter;
    compositeFilter?: {filters: Array<{fieldFilter: FieldFilter}>};
  };
  orderBy?: Array<{field: {fieldPath: string}; direction?: string}>;
  limit?: number;
}

/** A value of the client library as the REST API's JSON. */
export function toRestValue(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return {nullValue: null};
  if (typeof v === 'string') return {stringValue: v};
  if (typeof v === 'boolean') return {booleanValue: v};
  if (typeof v === 'number') {
    return Number.isInteger(v) ? {integerValue: String(v)} : {doubleValue: v};
  }
  if (Array.isArray(v)) return {arrayValue: {values: v.map(toRestValue)}};
  if (typeof (v as {toDate?: unknown}).toDate === 'function') {
    return {timestampValue: (v as {toDate(): Date}).toDate().toISOString()};
  }
  const fields: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) fields[k] = toRestValue(x);
  return {mapValue: {fields}};
}

async function runQuery(
  firestore: Firestore,
  database: string,
  q: StructuredQuery,
): Promise<unknown[]> {
  if (q.from.length !== 1) throw new Error('one collection is read at a time');
  const collectionId = q.from[0]!.collectionId;
  let query: Query = firestore.collection(collectionId);
  const filters = q.where?.fieldFilter
    ? [q.where.fieldFilter]
    : (q.where?.compositeFilter?.filters ?? []).map(f => f.fieldFilter);
  for (const f of filters) {
    const op: WhereFilterOp = f.op === 'EQUAL' ? '==' : 'array-contains';
    query = query.where(f.field.fieldPath, op, f.value.stringValue);
  }
  for (const o of q.orderBy ?? []) {
    query = query.orderBy(
      o.field.fieldPath,
      o.direction === 'DESCENDING' ? 'desc' : 'asc',
    );
  }
  if (q.limit !== undefined) query = query.limit(q.limit);
  const snapshot = await query.get();
  const readTime = new Date().toISOString();
  if (snapshot.empty) return [{readTime}];
  return snapshot.docs.map(d => ({
    document: {
      name: `${database}/documents/${collectionId}/${d.id}`,
      fields: (toRestValue(d.data()) as {mapValue: {fields: unknown}}).mapValue
        .fields,
    },
    readTime,
  }));
}

/**
 * Listens on `port` of 127.0.0.1: HTTP/2 goes to `grpcPort`, HTTP/1.1 is
 * answered here through a client of the gRPC port (one per database).
 */
export async function startRestFront(
  port: number,
  grpcPort: number,
): Promise<{stop(): Promise<void>}> {
  const clients = new Map<string, Firestore>();
  const clientFor = (database: string): Firestore => {
    let client = clients.get(database);
    if (!client) {
      const [, projectId, , databaseId] = database.split('/');
      const {Firestore: Client} =
        require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
      // The library prefers FIRESTORE_EMULATOR_HOST to its settings, and
      // reads it at construction: aim it at this emulator's gRPC port.
      const saved = process.env.FIRESTORE_EMULATOR_HOST;
      process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${grpcPort}`;
      try {
        client = new Client({projectId, databaseId});
      } finally {
        if (saved === undefined) delete process.env.FIRESTORE_EMULATOR_HOST;
        else process.env.FIRESTORE_EMULATOR_HOST = saved;
      }
      clients.set(database, client);
    }
    return client;
  };
  const sockets = new Set<net.Socket>();
  const rest = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const m =
        /^\/v1\/(projects\/[^/]+\/databases\/[^/]+)\/documents:runQuery$/.exec(
          req.url ?? '',
        );
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, {'content-type': 'application/json'});
        res.end(
          JSON.stringify({
            error: {
              code: 404,
              status: 'NOT_FOUND',
              message: 'not served by the fallback REST front',
            },
          }),
        );
        return;
      }
      Promise.resolve()
        .then(() =>
          runQuery(
            clientFor(m[1]!),
            m[1]!,
            (JSON.parse(body) as {structuredQuery: StructuredQuery})
              .structuredQuery,
          ),
        )
        .then(out => {
          res.writeHead(200, {'content-type': 'application/json'});
          res.end(JSON.stringify(out));
        })
        .catch((e: Error) => {
          res.writeHead(400, {'content-type': 'application/json'});
          res.end(
            JSON.stringify({
              error: {
                code: 400,
                status: 'INVALID_ARGUMENT',
                message: e.message,
              },
            }),
          );
        });
    });
  });
  const PREFACE = 'PRI * HTTP/2.0';
  const front = net.createServer(socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that goes away is no error of the emulator's.
    socket.on('error', () => socket.destroy());
    socket.once('data', first => {
      socket.pause();
      if (first.subarray(0, PREFACE.length).toString() === PREFACE) {
        const upstream = net.connect(grpcPort, '127.0.0.1', () => {
          upstream.write(first);
          socket.pipe(upstream).pipe(socket);
          socket.resume();
        });
        sockets.add(upstream);
        upstream.once('close', () => sockets.delete(upstream));
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      } else {
        socket.unshift(first);
        rest.emit('connection', socket);
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', resolve);
  });
  return {
    stop: async () => {
      await Promise.all([...clients.values()].map(c => c.terminate()));
      const closed = new Promise<void>(resolve => front.close(() => resolve()));
      for (const s of sockets) s.destroy();
      rest.close();
      await closed;
    },
  };
}

/**
 * The queries of the request store as plain data (what is filtered, ordered
 * and limited), with no client library: the Firestore store (gRPC, for
 * transactions) and the REST reader of the roles listing's pending markers
 * (firestore-rest.ts) issue the same queries, and a test checks each against
 * firestore.indexes.json.
 */
import type {RequestQuery} from '../ports';

/** One Firestore query, as plain data: what is filtered, ordered and limited. */
export interface QuerySpec {
  filters: Array<{field: string; op: '==' | 'array-contains'; value: unknown}>;
  orderBy: {field: string; direction: 'asc' | 'desc'};
  limit: number;
}

/** The query that answers a RequestQuery. */
export function querySpecs(q: RequestQuery): QuerySpec {
  const filters: QuerySpec['filters'] = [
    q.as === 'requester'
      ? {field: 'requester', op: '==', value: q.email}
      : {field: 'reviewers', op: 'array-contains', value: q.email},
  ];
  if (q.state) filters.push({field: 'state', op: '==', value: q.state});
  return {
    filters,
    orderBy: {field: 'createdAt', direction: 'desc'},
    limit: q.limit,
  };
}

/** The collection of the requests. */
export function requestsCollection(collectionPrefix: string): string {
  return `${collectionPrefix}requests`;
}

/**
 * The emulator does not enforce composite indexes, so this checks every
 * query the store can issue (its QuerySpecs) against firestore.indexes.json,
 * by Firestore's rule: the equality and array-contains fields first, in any
 * order, then the order-by field in its direction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RequestQuery, StoredState} from '../../shared/ports/request-store';
import {RequestState} from '../../shared/approvals/types';
import {querySpecs, QuerySpec} from '../../shared/google/firestore-requests';
import {grantQuerySpec} from '../../shared/google/firestore-grants';
import type {GrantQuery} from '../../shared/ports';

interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
  arrayConfig?: 'CONTAINS';
}
interface IndexFile {
  indexes: Array<{
    collectionGroup: string;
    queryScope: string;
    fields: IndexField[];
  }>;
  fieldOverrides: Array<{
    collectionGroup: string;
    fieldPath: string;
    ttl?: boolean;
  }>;
}

const file = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '..', '..', 'firestore.indexes.json'),
    'utf8',
  ),
) as IndexFile;

function needsComposite(spec: QuerySpec): boolean {
  // A single equality filter with no other order needs only the automatic indexes.
  return spec.filters.length + 1 > 1;
}

function covered(
  spec: Pick<QuerySpec, 'filters' | 'orderBy'>,
  collectionGroup = 'requests',
): boolean {
  return file.indexes.some(index => {
    if (index.collectionGroup !== collectionGroup) return false;
    const filterFields = spec.filters.map(f => f.field);
    const prefix = index.fields.slice(0, filterFields.length);
    const last = index.fields[filterFields.length];
    if (index.fields.length !== filterFields.length + 1 || !last) return false;
    const prefixOk = spec.filters.every(f =>
      prefix.some(
        i =>
          i.fieldPath === f.field &&
          (f.op === 'array-contains'
            ? i.arrayConfig === 'CONTAINS'
            : i.order !== undefined),
      ),
    );
    return (
      prefixOk &&
      last.fieldPath === spec.orderBy.field &&
      last.order ===
        (spec.orderBy.direction === 'desc' ? 'DESCENDING' : 'ASCENDING')
    );
  });
}

const STORED = RequestState.filter((s): s is StoredState => s !== 'EXPIRED');
const QUERIES: RequestQuery[] = (['requester', 'reviewer'] as const).flatMap(
  as => [
    {as, email: 'a@example.com', limit: 100},
    ...STORED.map(state => ({as, email: 'a@example.com', state, limit: 100})),
  ],
);

describe('firestore.indexes.json', () => {
  it.each(
    QUERIES.map(
      q => [`${q.as}${q.state ? ' + state ' + q.state : ''}`, q] as const,
    ),
  )('has a composite index for the query by %s', (_, q) => {
    const spec = querySpecs(q);
    expect(needsComposite(spec)).toBe(true);
    expect(covered(spec)).toBe(true);
  });

  it('declares the TTL policy on deleteAt', () => {
    expect(file.fieldOverrides).toContainEqual(
      expect.objectContaining({
        collectionGroup: 'requests',
        fieldPath: 'deleteAt',
        ttl: true,
      }),
    );
  });

  it('detects a missing index (the check can fail)', () => {
    const spec: QuerySpec = {
      filters: [{field: 'project', op: '==', value: 'p'}],
      orderBy: {field: 'createdAt', direction: 'desc'},
      limit: 1,
    };
    expect(covered(spec)).toBe(false);
  });

  // Every filter combination the grants API can ask for, and what each needs.
  const GRANT_QUERIES: GrantQuery[] = (
    ['holder', 'reviewer', 'auditor'] as const
  ).flatMap(as =>
    [undefined, 'u@example.com'].flatMap(user =>
      [undefined, 'p1'].flatMap(project =>
        [undefined, 'ACTIVE' as const].map(state => ({
          as,
          email: 'a@example.com',
          limit: 50,
          ...(as === 'auditor' && user ? {user} : {}),
          ...(project ? {project} : {}),
          ...(state ? {state} : {}),
        })),
      ),
    ),
  );
  // An auditor's unfiltered listing orders by sortKey alone: its automatic
  // single-field index serves it.
  const filtered = GRANT_QUERIES.filter(
    q => grantQuerySpec(q).filters.length > 0,
  );
  it('issues one unfiltered grants query only', () => {
    expect(GRANT_QUERIES.length - filtered.length).toBe(1);
  });
  it.each(filtered.map(q => [JSON.stringify(q), q] as const))(
    'has an index for the grants query %s',
    (_, q) => {
      expect(covered(grantQuerySpec(q), 'grants')).toBe(true);
    },
  );

  it('declares the TTL policy on the grants deleteAt', () => {
    expect(file.fieldOverrides).toContainEqual(
      expect.objectContaining({
        collectionGroup: 'grants',
        fieldPath: 'deleteAt',
        ttl: true,
      }),
    );
  });
});

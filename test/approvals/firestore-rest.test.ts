/**
 * The roles listing reads its pending markers over Firestore's REST API
 * (shared/google/firestore-rest.ts). What it reads must be what the client
 * library's store wrote and would itself answer, field for field.
 */
import {freePort} from '../../sandbox/firestore-emulator';
import {pendingRequestsOf} from '../../shared/approvals/pending';
import {UnavailableError} from '../../shared/errors';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {
  fromRestValue,
  makeFirestoreRestReader,
  structuredQuery,
} from '../../shared/google/firestore-rest';
import {makeMemoryLogger} from '../../shared/log';
import {newRequest, testConfig, testFirestore} from '../support/requests';

const FAST = {retry: {initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2}};

describe('Firestore over REST (emulator)', () => {
  const config = testConfig();
  const firestore = testFirestore(config);
  const store = makeFirestoreRequestStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
  });
  const reader = makeFirestoreRestReader(
    config,
    makeMemoryLogger().logger,
    FAST,
  );
  afterAll(() => firestore.terminate());

  it('answers the queries of the store with the same requests, every field decoded', async () => {
    const at = Date.now();
    const iso = (ms: number) => new Date(at + ms).toISOString();
    const requests = [
      newRequest({requester: 'dora@example.com', createdAt: iso(-3000)}),
      newRequest({
        requester: 'dora@example.com',
        resourceCondition: 'resource.name.startsWith("projects/_/buckets/b")',
        reviewers: ['erin@example.com'],
        createdAt: iso(-2000),
      }),
      newRequest({
        requester: 'dora@example.com',
        state: 'ACTIVE',
        approvals: [
          {reviewer: 'erin@example.com', at: iso(-500), comment: 'ok'},
        ],
        requiredApprovals: 2,
        decidedAt: iso(-400),
        decidedBy: 'erin@example.com',
        activation: {start: iso(-400), end: iso(3600_000)},
        notification: {delivered: true},
        createdAt: iso(-1000),
      }),
      newRequest({requester: 'someone-else@example.com'}),
    ];
    for (const r of requests) await store.create(r);

    for (const q of [
      {as: 'requester', email: 'dora@example.com', limit: 100},
      {
        as: 'requester',
        email: 'dora@example.com',
        state: 'PENDING',
        limit: 100,
      },
      {as: 'requester', email: 'dora@example.com', state: 'ACTIVE', limit: 1},
      {as: 'reviewer', email: 'erin@example.com', limit: 100},
      {as: 'reviewer', email: 'nobody@example.com', limit: 100},
    ] as const) {
      const overRest = await reader.list(q);
      expect(overRest).toEqual(await store.list(q));
    }
    expect(
      await reader.list({
        as: 'requester',
        email: 'dora@example.com',
        limit: 100,
      }),
    ).toEqual([requests[2], requests[1], requests[0]]);
  });

  it('gives the roles listing the pending requests of one project, expired ones left out', async () => {
    const fresh = newRequest({requester: 'finn@example.com', project: 'p1'});
    const other = newRequest({requester: 'finn@example.com', project: 'p2'});
    const expired = newRequest({
      requester: 'finn@example.com',
      project: 'p1',
      role: 'roles/viewer',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    for (const r of [fresh, other, expired]) await store.create(r);
    const pending = await pendingRequestsOf(
      q => reader.list(q),
      'finn@example.com',
      'p1',
      new Date(),
    );
    expect(pending).toEqual([{role: fresh.role, requestId: fresh.id}]);
  });

  it('answers 503 naming Firestore when it cannot be reached', async () => {
    // A port nothing listens on.
    const port = await freePort();
    const unreachable = makeFirestoreRestReader(
      testConfig({FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}`}),
      makeMemoryLogger().logger,
      FAST,
    );
    await expect(
      unreachable.list({as: 'requester', email: 'a@example.com', limit: 1}),
    ).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('Firestore REST values and queries', () => {
  it('decodes every value type the store writes', () => {
    expect(
      fromRestValue({
        mapValue: {
          fields: {
            s: {stringValue: 'x'},
            i: {integerValue: '42'},
            d: {doubleValue: 1.5},
            b: {booleanValue: false},
            n: {nullValue: null},
            t: {timestampValue: '2026-01-01T00:00:00Z'},
            a: {arrayValue: {values: [{stringValue: 'y'}]}},
            e: {arrayValue: {}},
          },
        },
      }),
    ).toEqual({
      s: 'x',
      i: 42,
      d: 1.5,
      b: false,
      n: null,
      t: '2026-01-01T00:00:00Z',
      a: ['y'],
      e: [],
    });
  });

  it('sends one filter alone and several under AND, newest first', () => {
    expect(
      structuredQuery('requests', {
        filters: [
          {field: 'requester', op: '==', value: 'a@example.com'},
          {field: 'state', op: '==', value: 'PENDING'},
        ],
        orderBy: {field: 'createdAt', direction: 'desc'},
        limit: 5,
      }),
    ).toEqual({
      from: [{collectionId: 'requests'}],
      where: {
        compositeFilter: {
          op: 'AND',
          filters: [
            {
              fieldFilter: {
                field: {fieldPath: 'requester'},
                op: 'EQUAL',
                value: {stringValue: 'a@example.com'},
              },
            },
            {
              fieldFilter: {
                field: {fieldPath: 'state'},
                op: 'EQUAL',
                value: {stringValue: 'PENDING'},
              },
            },
          ],
        },
      },
      orderBy: [{field: {fieldPath: 'createdAt'}, direction: 'DESCENDING'}],
      limit: 5,
    });
  });
});

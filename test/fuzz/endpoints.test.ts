/**
 * Fuzz: every API endpoint, through the real router, IAP verification, use
 * cases, Firestore store (the run's emulator) and IAM adapter (the fake
 * Google Cloud), with fast-check generating path parameters, query strings
 * and bodies: JSON of any shape, and near-valid bodies whose fields take
 * hostile values. Whatever comes in, the answer is never a 5xx, and a
 * refused call writes nothing: no setIamPolicy, no stored request changed.
 * The seed is fixed, so a failure reproduces; FUZZ_SEED and FUZZ_RUNS
 * explore further (`FUZZ_SEED=7 FUZZ_RUNS=500 npx jest test/fuzz`).
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import fc from 'fast-check';
import request from 'supertest';
import {makeActivateRoutes} from '../../functions/activate/routes';
import {makeApproveRoutes} from '../../functions/approve/routes';
import {makeRolesRoutes} from '../../functions/roles/routes';
import {makeActivator} from '../../shared/activation/activator';
import {makeProjectIamClient} from '../../shared/google/resource-manager';
import {answerFrameworkErrors, makeHttpFunction} from '../../shared/http';
import {
  ALICE,
  BOB,
  CAROL,
  Harness,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  ROLE,
  startHarness,
} from '../approvals/harness';
import {EVERYONE} from '../support/memory-eligibility';
import {servicesOver} from '../support/services';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SET = 'cloudresourcemanager.projects.setIamPolicy';
const JIT_ROLE = 'roles/viewer';

let h: Harness;
let server: ReturnType<typeof getTestServer>;
let existing: string;

beforeAll(async () => {
  h = await startHarness({env: {RATE_LIMIT_PER_MINUTE: '0'}});
  h.eligibility.grants.push({
    project: PROJECT,
    user: EVERYONE,
    type: 'JIT',
    role: JIT_ROLE,
  });
  // As functions/index.ts does: bodies the framework refuses get our JSON.
  answerFrameworkErrors(h.log.logger);
  const config = h.iap.config;
  const services = servicesOver({
    config,
    log: h.log.logger,
    verifier: h.iap.verifier,
    eligibility: h.eligibility,
    approvals: h.approvals,
    activator: makeActivator({
      iam: makeProjectIamClient(config, h.log.logger, {
        retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 3_000},
      }),
      log: h.log.logger,
    }),
  });
  functions.http(
    'fuzzEndpoints',
    makeHttpFunction({
      routes: [
        ...makeRolesRoutes(services),
        ...makeActivateRoutes(services),
        ...makeApproveRoutes(services),
      ],
      verifier: h.iap.verifier,
      log: h.log.logger,
      rateLimitPerMinute: 0,
    }),
  );
  server = getTestServer('fuzzEndpoints');
  existing = (await h.post(REQUEST_PATH, ALICE, requestBody()).expect(201)).body
    .id as string;
}, 60_000);
afterAll(() => h.close());

/** Every stored request, as JSON, to see whether a call changed any. */
async function stored(): Promise<string> {
  const prefix = h.iap.config.firestore.collectionPrefix;
  const snapshot = await h.firestore.collection(`${prefix}requests`).get();
  return JSON.stringify(
    snapshot.docs
      .map(d => [d.id, d.data()])
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  );
}

const hostileString = fc.oneof(
  fc.string({maxLength: 40}),
  fc.string({unit: 'binary', maxLength: 40}),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\nb',
    '\u202e',
    '__x__',
    '../..',
    '%2F',
    'roles/owner',
    ROLE,
    JIT_ROLE,
    PROJECT,
    BOB,
    CAROL,
    ALICE,
    'x'.repeat(5000),
  ),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, {maxLength: 4}),
  fc.jsonValue({maxDepth: 2}),
);
/** An object with some of `keys` (and maybe a stranger), each hostile. */
const nearValid = (keys: string[]) =>
  fc.dictionary(
    fc.oneof(fc.constantFrom(...keys), fc.string({maxLength: 8})),
    hostileValue,
    {maxKeys: keys.length + 1},
  );
const anyBody = (keys: string[]) =>
  fc.oneof(nearValid(keys), fc.jsonValue({maxDepth: 3}));

const pathParam = fc.oneof(
  hostileString,
  fc.constantFrom(PROJECT, 'other-project'),
);
const requestId = fc.oneof(
  hostileString,
  fc.constant('AAAAAAAAAAAAAAAAAAAAAA'),
  fc.constant('__aaaaaaaaaaaaaaaaaa__'),
  fc.constant('EXISTING'),
);

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  user: string;
}

function encode(segment: string): string {
  return encodeURIComponent(segment === 'EXISTING' ? existing : segment);
}

const user = fc.constantFrom(ALICE, BOB, CAROL);
const ENDPOINTS: Array<[string, fc.Arbitrary<Call>]> = [
  [
    'GET /api/projects/{project}/roles',
    fc.record({
      method: fc.constant('GET' as const),
      path: pathParam.map(p => `/api/projects/${encode(p)}/roles`),
      user,
    }),
  ],
  [
    'GET /api/projects/{project}/peers',
    fc.record({
      method: fc.constant('GET' as const),
      path: fc
        .tuple(pathParam, hostileString, fc.option(hostileString))
        .map(
          ([p, role, condition]) =>
            `/api/projects/${encode(p)}/peers?role=${encodeURIComponent(role)}` +
            (condition === null
              ? ''
              : `&resourceCondition=${encodeURIComponent(condition)}`),
        ),
      user,
    }),
  ],
  [
    'POST /api/projects/{project}/roles/self-activate',
    fc.record({
      method: fc.constant('POST' as const),
      path: pathParam.map(
        p => `/api/projects/${encode(p)}/roles/self-activate`,
      ),
      body: anyBody(['roles', 'justification', 'durationMinutes']),
      user,
    }),
  ],
  [
    'POST /api/projects/{project}/roles/request',
    fc.record({
      method: fc.constant('POST' as const),
      path: pathParam.map(p => `/api/projects/${encode(p)}/roles/request`),
      body: anyBody([
        'role',
        'resourceCondition',
        'justification',
        'durationMinutes',
        'reviewers',
      ]),
      user,
    }),
  ],
  [
    'GET /api/requests',
    fc.record({
      method: fc.constant('GET' as const),
      path: fc
        .tuple(hostileString, hostileString)
        .map(
          ([as, state]) =>
            `/api/requests?as=${encodeURIComponent(as)}&state=${encodeURIComponent(state)}`,
        ),
      user,
    }),
  ],
  [
    'GET /api/requests/{id}',
    fc.record({
      method: fc.constant('GET' as const),
      path: requestId.map(id => `/api/requests/${encode(id)}`),
      user,
    }),
  ],
  ...(['approve', 'deny', 'withdraw', 'remind'] as const).map(
    (action): [string, fc.Arbitrary<Call>] => [
      `POST /api/requests/{id}/${action}`,
      fc.record({
        method: fc.constant('POST' as const),
        path: requestId.map(id => `/api/requests/${encode(id)}/${action}`),
        body: anyBody(['comment', 'reason']),
        user,
      }),
    ],
  ),
];

async function send(call: Call) {
  const assertion = h.iap.assertionFor(call.user);
  if (call.method === 'GET') {
    return request(server)
      .get(call.path)
      .set('x-goog-iap-jwt-assertion', assertion);
  }
  return request(server)
    .post(call.path)
    .set('x-goog-iap-jwt-assertion', assertion)
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(call.body ?? null));
}

describe.each(ENDPOINTS)('%s', (_name, calls) => {
  it(`never answers 5xx, and writes nothing when it refuses (${RUNS} inputs)`, async () => {
    await fc.assert(
      fc.asyncProperty(calls, async call => {
        const writesBefore = h.fake.calls(SET).length;
        const before = await stored();
        const res = await send(call);
        if (res.status >= 500) {
          throw new Error(`${res.status} ${res.text.slice(0, 300)}`);
        }
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        if (res.status >= 400) {
          expect(res.body.error.code).toBe(res.status);
          expect(h.fake.calls(SET).length).toBe(writesBefore);
          expect(await stored()).toBe(before);
        }
      }),
      {seed: SEED, numRuns: RUNS},
    );
  });
});

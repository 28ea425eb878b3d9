/**
 * Rules the fake enforces as Google does, checked on the wire (the adapters
 * never send these requests, so only raw HTTP can show them).
 */
import type {FakeGoogleCloud} from '../../sandbox/fake-gcp';
import {startFake} from './fake';
import {ORG, testWorld} from './world';

// Wire JSON, inspected ad hoc in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let fake: FakeGoogleCloud;

beforeAll(async () => {
  ({fake} = await startFake(testWorld()));
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.world = testWorld();
});

async function post(path: string, body: unknown) {
  const res = await fetch(fake.url + path, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  });
  return {status: res.status, body: (await res.json()) as Record<string, Json>};
}

const get = async (path: string) => {
  const res = await fetch(fake.url + path);
  return {status: res.status, body: (await res.json()) as Record<string, Json>};
};

describe('Resource Manager rules', () => {
  it('disguises conditional bindings when version 1 is asked for', async () => {
    const {body} = await post('/v3/projects/alpha-project:getIamPolicy', {});
    expect(body.version).toBe(1);
    const roles = (body.bindings as {role: string; condition?: unknown}[]).map(
      b => b.role,
    );
    expect(roles).toContain('roles/owner');
    expect(
      roles.some(r => /^roles\/storage\.admin_withcond_[0-9a-f]+$/.test(r)),
    ).toBe(true);
    expect(
      body.bindings.every((b: {condition?: unknown}) => !b.condition),
    ).toBe(true);
  });

  it('keeps audit configs unless the update mask names them', async () => {
    const {body: read} = await post('/v3/projects/alpha-project:getIamPolicy', {
      options: {requestedPolicyVersion: 3},
    });
    const {body: written} = await post(
      '/v3/projects/alpha-project:setIamPolicy',
      {
        policy: {...read, auditConfigs: []},
      },
    );
    expect(written.auditConfigs).toEqual(read.auditConfigs);
    const {body: masked} = await post(
      '/v3/projects/alpha-project:setIamPolicy',
      {
        policy: {...written, auditConfigs: []},
        updateMask: 'bindings,etag,auditConfigs',
      },
    );
    expect(masked.auditConfigs).toBeUndefined();
  });

  it.each([
    [
      'more than 1,500 principals',
      {
        version: 3,
        bindings: [
          {
            role: 'roles/viewer',
            members: Array.from(
              {length: 1501},
              (_, i) => `user:u${i}@example.com`,
            ),
          },
        ],
      },
    ],
    [
      'a condition without a title',
      {
        version: 3,
        bindings: [
          {
            role: 'roles/viewer',
            members: ['user:a@example.com'],
            condition: {expression: 'true'},
          },
        ],
      },
    ],
    [
      'an invalid principal',
      {
        version: 3,
        bindings: [{role: 'roles/viewer', members: ['alice@example.com']}],
      },
    ],
    [
      'an invalid role',
      {
        version: 3,
        bindings: [{role: 'viewer', members: ['user:a@example.com']}],
      },
    ],
  ])('refuses a policy with %s', async (_what, policy) => {
    const {status, body} = await post(
      '/v3/projects/alpha-project:setIamPolicy',
      {policy},
    );
    expect(status).toBe(400);
    expect(body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('answers 403 "or it may not exist" for an unknown project', async () => {
    const {status, body} = await post(
      '/v3/projects/nope-project:getIamPolicy',
      {},
    );
    expect(status).toBe(403);
    expect(body.error.message).toContain('(or it may not exist)');
    expect(body.error.details[0].metadata.permission).toBe(
      'resourcemanager.projects.getIamPolicy',
    );
  });
});

describe('Cloud Asset rules', () => {
  it('refuses analyzeIamPolicy parameters without their analysisQuery prefix', async () => {
    const {status, body} = await get(
      `/v1/${ORG}:analyzeIamPolicy?identitySelector.identity=user%3Aalice%40example.com`,
    );
    expect(status).toBe(400);
    expect(body.error.message).toContain('Cannot bind query parameter');
  });

  it('answers enums as numbers when the REST transport asks so', async () => {
    const q = `analysisQuery.identitySelector.identity=${encodeURIComponent('user:alice@example.com')}`;
    const named = await get(`/v1/${ORG}:analyzeIamPolicy?${q}`);
    const numbered = await get(
      `/v1/${ORG}:analyzeIamPolicy?${q}&$alt=json%3Benum-encoding=int`,
    );
    const value = (r: typeof named) =>
      r.body.mainAnalysis.analysisResults
        .flatMap((x: Json) => x.accessControlLists)
        .find((acl: Json) => acl.conditionEvaluation)?.conditionEvaluation
        .evaluationValue;
    expect(value(named)).toBe('CONDITIONAL');
    expect(value(numbered)).toBe(3);
  });

  it('refuses more than 20 names in one batchGet', async () => {
    const names = Array.from(
      {length: 21},
      () =>
        'names=' +
        encodeURIComponent(
          '//cloudresourcemanager.googleapis.com/projects/alpha-project',
        ),
    ).join('&');
    const {status} = await get(
      `/v1/${ORG}/effectiveIamPolicies:batchGet?${names}`,
    );
    expect(status).toBe(400);
  });

  it('refuses a page token used with another query', async () => {
    fake.maxPageSize = 1;
    const first = await get(`/v1/${ORG}:searchAllResources?query=`);
    fake.maxPageSize = 0;
    const token = first.body.nextPageToken as string;
    expect(token).toBeTruthy();
    const {status} = await get(
      `/v1/${ORG}:searchAllResources?query=state%3AACTIVE&pageToken=${token}`,
    );
    expect(status).toBe(400);
  });
});

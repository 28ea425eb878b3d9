/**
 * The eligibility routes of the `roles` function, through functions-framework
 * and supertest with real IAP assertions, over an in-memory eligibility
 * service that records what it was asked.
 */
import {openApiAnswer} from '../support/openapi';
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {buildTarget} from '../../functions/targets';
import type {PendingRequest} from '../../shared/eligibility/listing';
import {makeMemoryLogger} from '../../shared/log';
import {makeTestIap, type TestIap} from '../support/iap';
import {
  MemoryEligibility,
  type EligibleGrant,
} from '../support/memory-eligibility';
import {servicesOver} from '../support/services';

let pending: PendingRequest[] | Error = [];

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
/** Alice may request roles/b under three conditions; Bob may approve them. */
const MPA_CONDITIONS = [undefined, 'x > 1', 'resource.name == "b"'];

const service = new MemoryEligibility([
  {
    project: 'p-alpha',
    user: ALICE,
    role: 'roles/a',
    type: 'JIT',
    status: 'ACTIVE',
    validUntil: '2030-01-01T00:00:00Z',
  },
  ...MPA_CONDITIONS.flatMap(resourceCondition =>
    [ALICE, BOB].map((user): EligibleGrant => ({
      project: 'p-alpha',
      user,
      role: 'roles/b',
      type: 'MPA',
      ...(resourceCondition === undefined ? {} : {resourceCondition}),
    })),
  ),
  {project: 'p-beta', user: ALICE, role: 'roles/viewer', type: 'JIT'},
]);
service.warnings.set('p-alpha', ['w1']);
const asked = service.calls;

let iap: TestIap;
const memory = makeMemoryLogger();

beforeAll(async () => {
  iap = await makeTestIap();
  functions.http(
    'rolesRoutesTest',
    await buildTarget(
      'roles',
      servicesOver({
        config: {...iap.config, rateLimitPerMinute: 0},
        log: memory.logger,
        verifier: iap.verifier,
        eligibility: service,
        pendingRequests: async () => {
          if (pending instanceof Error) throw pending;
          return pending;
        },
      }),
    ),
  );
});
afterAll(() => iap.close());
beforeEach(() => {
  asked.length = 0;
  pending = [];
  memory.lines.length = 0;
});

function get(path: string, email = 'Alice@example.com') {
  return request(getTestServer('rolesRoutesTest'))
    .get(path)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(email))
    .expect(openApiAnswer);
}

/** The audit entries of `event`: their fields and labels, flat. */
function auditEvents(event: string) {
  return memory
    .entries()
    .map(e => ({
      ...e,
      ...(e['logging.googleapis.com/labels'] as Record<string, string>),
    }))
    .filter(e => e['event'] === event);
}

describe('roles routes', () => {
  it('refuses a request without an IAP assertion before asking anything', async () => {
    const res = await request(getTestServer('rolesRoutesTest')).get(
      '/api/projects',
    );
    expect(res.status).toBe(401);
    expect(asked).toEqual([]);
  });

  it('lists the projects of the verified caller and audits it', async () => {
    const res = await get('/api/projects');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({projects: ['p-alpha', 'p-beta']});
    expect(asked).toEqual([
      {method: 'listProjects', args: ['alice@example.com']},
    ]);
    expect(auditEvents('api.listProjects')).toEqual([
      expect.objectContaining({user: 'alice@example.com', outcome: 'success'}),
    ]);
  });

  it('lists the roles with their status and warnings', async () => {
    const res = await get('/api/projects/p-alpha/roles');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      roles: [
        {
          role: 'roles/a',
          activationType: 'JIT',
          status: 'ACTIVE',
          validUntil: '2030-01-01T00:00:00Z',
        },
        {role: 'roles/b', activationType: 'MPA', status: 'ELIGIBLE'},
        {
          role: 'roles/b',
          resourceCondition: 'x > 1',
          activationType: 'MPA',
          status: 'ELIGIBLE',
        },
        {
          role: 'roles/b',
          resourceCondition: 'resource.name == "b"',
          activationType: 'MPA',
          status: 'ELIGIBLE',
        },
      ],
      warnings: ['w1'],
    });
    expect(auditEvents('api.listEligibleRoles')).toEqual([
      expect.objectContaining({
        user: 'alice@example.com',
        project: 'p-alpha',
        outcome: 'success',
      }),
    ]);
  });

  it('marks the entitlement of a pending request PENDING_APPROVAL, and only that one', async () => {
    pending = [
      {role: 'roles/b', resourceCondition: 'x > 1', requestId: 'req-1'},
      // An active role stays ACTIVE even with a request under way.
      {role: 'roles/a', requestId: 'req-2'},
    ];
    const res = await get('/api/projects/p-alpha/roles');
    expect(res.body.roles).toEqual([
      expect.objectContaining({role: 'roles/a', status: 'ACTIVE'}),
      {role: 'roles/b', activationType: 'MPA', status: 'ELIGIBLE'},
      {
        role: 'roles/b',
        resourceCondition: 'x > 1',
        activationType: 'MPA',
        status: 'PENDING_APPROVAL',
        requestId: 'req-1',
      },
      expect.objectContaining({resourceCondition: 'resource.name == "b"'}),
    ]);
  });

  it('still lists the roles, with a warning, when pending requests cannot be read', async () => {
    pending = new Error('Firestore is down');
    const res = await get('/api/projects/p-alpha/roles');
    expect(res.status).toBe(200);
    expect(res.body.roles).toHaveLength(4);
    expect(res.body.warnings).toEqual([
      'w1',
      expect.stringContaining('Pending approval requests could not be read'),
    ]);
    expect(JSON.stringify(res.body)).not.toContain('Firestore is down');
  });

  it('answers 404 for a project outside the scope and audits the refusal', async () => {
    const res = await get('/api/projects/p-gamma/roles');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual(
      expect.objectContaining({code: 404, status: 'NOT_FOUND'}),
    );
    expect(auditEvents('api.listEligibleRoles')).toEqual([
      expect.objectContaining({
        project: 'p-gamma',
        outcome: 'refused',
        status: 'NOT_FOUND',
      }),
    ]);
  });

  it.each([
    ['upper case', '/api/projects/P-Alpha/roles'],
    ['too short', '/api/projects/p1/roles'],
    ['a slash, encoded', '/api/projects/p-alpha%2Fx/roles'],
    ['a trailing hyphen', '/api/projects/p-alpha-/roles'],
    ['peers, bad project', '/api/projects/_x_/peers?role=roles/b'],
  ])(
    'answers 400 for a malformed project id (%s) without asking',
    async (_n, path) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
      expect(asked).toEqual([]);
    },
  );

  it.each([
    ['missing', '/api/projects/p-alpha/peers'],
    ['not a role', '/api/projects/p-alpha/peers?role=admin'],
    ['a path', '/api/projects/p-alpha/peers?role=roles/../x'],
    ['empty', '/api/projects/p-alpha/peers?role='],
  ])('answers 400 for a role name that is %s', async (_n, path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(asked).toEqual([]);
  });

  it.each([
    ['roles/b', undefined, {role: 'roles/b'}],
    ['roles/b', 'x > 1', {role: 'roles/b', resourceCondition: 'x > 1'}],
    ['roles/b', 'x>1', {role: 'roles/b', resourceCondition: 'x > 1'}],
    [
      'roles/b',
      "resource.name=='b'",
      {role: 'roles/b', resourceCondition: 'resource.name == "b"'},
    ],
    [
      'projects/p-alpha/roles/custom.role',
      undefined,
      {role: 'projects/p-alpha/roles/custom.role'},
    ],
    [
      'organizations/123/roles/custom',
      undefined,
      {role: 'organizations/123/roles/custom'},
    ],
  ])(
    'asks for the peers of %s (condition %s)',
    async (role, condition, expected) => {
      let path = `/api/projects/p-alpha/peers?role=${encodeURIComponent(role)}`;
      if (condition)
        path += `&resourceCondition=${encodeURIComponent(condition)}`;
      await get(path);
      expect(asked).toEqual([
        {method: 'listPeers', args: ['alice@example.com', 'p-alpha', expected]},
      ]);
    },
  );

  it('lists peers and audits it', async () => {
    const res = await get('/api/projects/p-alpha/peers?role=roles/b');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({peers: ['bob@example.com']});
    expect(auditEvents('api.listPeers')).toEqual([
      expect.objectContaining({
        project: 'p-alpha',
        role: 'roles/b',
        outcome: 'success',
      }),
    ]);
  });

  it('answers 403 when the caller is not MPA-eligible, and audits it', async () => {
    const res = await get('/api/projects/p-alpha/peers?role=roles/a');
    expect(res.status).toBe(403);
    expect(res.body.error.status).toBe('PERMISSION_DENIED');
    expect(auditEvents('api.listPeers')).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        status: 'PERMISSION_DENIED',
      }),
    ]);
  });

  it.each([
    ['x > 1'],
    ['x>1'],
    ['  x   >\t1 '],
    ['(x > 1)'],
    ['resource.name == "b"'],
    ["resource.name=='b'"],
    ["resource.name == 'b'"],
  ])(
    'lists peers for an equivalent, differently written condition %j',
    async condition => {
      const res = await get(
        `/api/projects/p-alpha/peers?role=roles/b&resourceCondition=${encodeURIComponent(condition)}`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({peers: ['bob@example.com']});
    },
  );

  it('still refuses a condition that means something else', async () => {
    const res = await get(
      `/api/projects/p-alpha/peers?role=roles/b&resourceCondition=${encodeURIComponent('x >= 1')}`,
    );
    expect(res.status).toBe(403);
  });
});

/**
 * POST /api/projects/{project}/roles/self-activate on target `activate`,
 * through functions-framework and supertest, with real IAP assertions, the
 * self-activation use case, the real activator and the real Resource Manager
 * adapter against the fake Google Cloud over loopback. Eligibility is in
 * memory here (test/support/memory-eligibility.ts): these tests are about the
 * body, the IAM write and the answers; the sandbox test walks the same path
 * with the real catalogs.
 */
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type WorldBinding,
} from '../../sandbox/fake-gcp';
import type {Config} from '../../shared/config';
import {compileJustificationPattern} from '../../shared/limits';
import {makeMemoryLogger} from '../../shared/log';
import type {GrantStore} from '../../shared/ports';
import {testGrantStore} from '../support/grants';
import {openApiAnswer} from '../support/openapi';
import {makeTestIap, type TestIap} from '../support/iap';
import {registerActivateTarget} from '../activation/activate-target';
import {celParseErrors} from '../activation/cel-check';
import {
  activationWorld,
  AUDIT_CONFIGS,
  memoryEligibility,
  OWNER_BINDING,
  PROJECT,
} from '../activation/fixtures';

const GET = 'cloudresourcemanager.projects.getIamPolicy';
const SET = 'cloudresourcemanager.projects.setIamPolicy';
const NOW = new Date('2040-01-01T10:00:00.750Z');
const PATH = `/api/projects/${PROJECT}/roles/self-activate`;

let fake: FakeGoogleCloud;
let iap: TestIap;
let grants: GrantStore;
const eligibility = memoryEligibility();
const memory = makeMemoryLogger();

function register(name: string, config: Config) {
  return registerActivateTarget(name, {
    config,
    log: memory.logger,
    verifier: iap.verifier,
    eligibility,
    now: () => NOW,
    grants,
  });
}

beforeAll(async () => {
  fake = await startFakeGoogleCloud(activationWorld());
  iap = await makeTestIap({
    env: {
      ...fakeEndpoints(fake),
      ACTIVATION_TIMEOUT: '120',
      ACTIVATION_REQUEST_MAX_ROLES: '5',
    },
  });
  grants = testGrantStore(iap.config);
  await register('selfActivate', iap.config);
  const pattern = compileJustificationPattern('b/\\d+');
  if ('error' in pattern) throw new Error(pattern.error);
  await register('selfActivateBugNumbers', {
    ...iap.config,
    justification: {pattern: 'b/\\d+', regex: pattern.regex, hint: 'b/123'},
  });
});

afterAll(async () => {
  await fake.stop();
  await iap.close();
});

beforeEach(() => {
  fake.world = activationWorld();
  fake.resetLog();
  fake.clearFaults();
  fake.latencyMs = 0;
  memory.lines.length = 0;
  eligibility.calls.length = 0;
});

function post(
  body: unknown,
  options: {email?: string; path?: string; target?: string} = {},
) {
  return request(getTestServer(options.target ?? 'selfActivate'))
    .post(options.path ?? PATH)
    .expect(openApiAnswer)
    .set(
      'x-goog-iap-jwt-assertion',
      iap.assertionFor(options.email ?? 'Alice@Example.com'),
    )
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
}

function bindings(): WorldBinding[] {
  return fake.world.policies?.[`projects/${PROJECT}`]?.bindings ?? [];
}

/** The audit entries of self-activation: their fields and labels, flat. */
function auditEvents() {
  return memory
    .entries()
    .map(e => ({
      ...e,
      ...(e['logging.googleapis.com/labels'] as Record<string, string>),
    }))
    .filter(e => e['event'] === 'api.activateRole');
}

const window =
  '(request.time >= timestamp("2040-01-01T10:00:00Z") && request.time < timestamp("2040-01-01T11:00:00Z"))';

describe('self-activate', () => {
  it('activates 5 roles with one getIamPolicy and one setIamPolicy', async () => {
    const roles = ['roles/a', 'roles/b', 'roles/c', 'roles/d', 'roles/e'];
    const res = await post({roles, justification: 'b/1', durationMinutes: 60});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      activations: roles.map(role => ({
        role,
        project: PROJECT,
        start: '2040-01-01T10:00:00Z',
        end: '2040-01-01T11:00:00Z',
        grantId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      })),
    });
    // A record for each, ACTIVE, with the exact binding written.
    const records = await Promise.all(
      (res.body.activations as Array<{grantId: string}>).map(a =>
        grants.get(a.grantId),
      ),
    );
    expect(records.map(g => [g?.role, g?.state, g?.origin])).toEqual(
      roles.map(role => [role, 'ACTIVE', 'self']),
    );
    expect(records[0]!.binding).toEqual({
      role: 'roles/a',
      member: 'user:alice@example.com',
      title: 'JIT access activation',
      description: 'Self-approved, justification: b/1',
      expression: window,
    });
    expect(records[0]!.timeline.map(t => [t.event, t.actor])).toEqual([
      ['activating', 'alice@example.com'],
      ['activated', 'system'],
    ]);
    expect(fake.calls(GET)).toHaveLength(1);
    expect(fake.calls(SET)).toHaveLength(1);
    expect(bindings()).toEqual([
      OWNER_BINDING,
      ...roles.map(role => ({
        role,
        members: ['user:alice@example.com'],
        condition: {
          title: 'JIT access activation',
          description: 'Self-approved, justification: b/1',
          expression: window,
        },
      })),
    ]);
    expect(fake.world.policies?.[`projects/${PROJECT}`]?.auditConfigs).toEqual(
      AUDIT_CONFIGS,
    );
    const sent = fake.calls(SET)[0]!.body as {
      policy: {
        version: number;
        etag: string;
        auditConfigs: unknown;
        bindings: unknown[];
      };
    };
    expect(sent.policy.version).toBe(3);
    expect(sent.policy.etag).toEqual(expect.any(String));
    // What was not ours to touch goes back exactly as it was read.
    expect(sent.policy.auditConfigs).toEqual(AUDIT_CONFIGS);
    expect(sent.policy.bindings[0]).toEqual(OWNER_BINDING);
    expect(auditEvents()).toEqual([
      expect.objectContaining({
        user: 'alice@example.com',
        project: PROJECT,
        entitlements: roles,
        justification: 'b/1',
        start: '2040-01-01T10:00:00Z',
        end: '2040-01-01T11:00:00Z',
        outcome: 'success',
      }),
    ]);
  });

  it('writes expressions a real CEL parser accepts, resource condition included', async () => {
    const res = await post({
      roles: [
        'roles/browser',
        {
          role: 'roles/storage.admin',
          resourceCondition:
            "resource.name.startsWith('projects/_/buckets/logs')",
        },
      ],
      justification: 'b/2',
      durationMinutes: 60,
    });
    expect(res.status).toBe(200);
    expect(res.body.activations[1]).toEqual({
      role: 'roles/storage.admin',
      resourceCondition: 'resource.name.startsWith("projects/_/buckets/logs")',
      project: PROJECT,
      grantId: expect.any(String),
      start: '2040-01-01T10:00:00Z',
      end: '2040-01-01T11:00:00Z',
    });
    const expressions = bindings()
      .map(b => b.condition?.expression)
      .filter((e): e is string => e !== undefined);
    expect(expressions).toEqual([
      window,
      `(${window}) && (resource.name.startsWith("projects/_/buckets/logs"))`,
    ]);
    expect(await celParseErrors(expressions)).toEqual([null, null]);
  });

  it('carries an emoji justification into the binding and, percent-encoded, into x-goog-request-reason', async () => {
    const justification = '🔥 incident «42» – 100% sure';
    const res = await post({
      roles: ['roles/a'],
      justification,
      durationMinutes: 5,
    });
    expect(res.status).toBe(200);
    expect(bindings()[1]?.condition?.description).toBe(
      `Self-approved, justification: ${justification}`,
    );
    const header = fake.calls(SET)[0]!.headers['x-goog-request-reason'];
    expect(typeof header).toBe('string');
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(decodeURIComponent(header as string)).toBe(
      `Self-approved, justification: ${justification}`,
    );
  });

  it('extends an active role: the earlier binding is replaced, not added to', async () => {
    expect(
      (
        await post({
          roles: ['roles/a'],
          justification: 'x',
          durationMinutes: 30,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post({
          roles: ['roles/a'],
          justification: 'y',
          durationMinutes: 60,
        })
      ).status,
    ).toBe(200);
    const mine = bindings().filter(b => b.role === 'roles/a');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.condition?.description).toBe(
      'Self-approved, justification: y',
    );
    expect(mine[0]?.condition?.expression).toBe(window);
  });

  it('keeps 20 concurrent activations by different users, in at most 25 writes', async () => {
    fake.latencyMs = 15;
    const users = Array.from({length: 20}, (_, i) => `user${i}@example.com`);
    const answers = await Promise.all(
      users.map(u =>
        post(
          {
            roles: ['roles/browser'],
            justification: 'load',
            durationMinutes: 10,
          },
          {email: u},
        ),
      ),
    );
    expect(answers.map(a => a.status)).toEqual(users.map(() => 200));
    for (const u of users) {
      expect(
        bindings().filter(b => b.members.includes(`user:${u}`)),
      ).toHaveLength(1);
    }
    expect(fake.calls(SET).length).toBeLessThanOrEqual(25);
  });

  it.each([
    [409, 'ABORTED'],
    [412, 'FAILED_PRECONDITION'],
  ])('re-reads and succeeds after an injected %i', async status => {
    fake.failNext(SET, status, 1);
    const res = await post({
      roles: ['roles/a'],
      justification: 'x',
      durationMinutes: 5,
    });
    expect(res.status).toBe(200);
    expect(fake.calls(GET)).toHaveLength(2);
    expect(fake.calls(SET).map(c => c.status)).toEqual([status, 200]);
    expect(bindings().filter(b => b.role === 'roles/a')).toHaveLength(1);
  });

  it("answers 409 naming IAM's principal limit and the policy, instead of Google's 400, and writes nothing", async () => {
    const crowd = {
      role: 'roles/viewer',
      members: Array.from({length: 1499}, (_, i) => `user:u${i}@example.com`),
    };
    fake.world.policies![`projects/${PROJECT}`]!.bindings = [
      OWNER_BINDING,
      crowd,
    ];
    const res = await post({
      roles: ['roles/a'],
      justification: 'x',
      durationMinutes: 5,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.status).toBe('ABORTED');
    expect(res.body.error.message).toMatch(
      new RegExp(
        `project ${PROJECT}: its IAM policy would hold 1501 principals, over IAM's limit of 1500`,
      ),
    );
    expect(fake.calls(GET)).toHaveLength(1);
    expect(fake.calls(SET)).toHaveLength(0);
    expect(bindings()).toEqual([OWNER_BINDING, crowd]);
  });

  it('answers 409 ABORTED after 6 conflicting attempts, having written nothing', async () => {
    fake.failNext(SET, 409, 6);
    const res = await post({
      roles: ['roles/a'],
      justification: 'x',
      durationMinutes: 5,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.status).toBe('ABORTED');
    expect(res.body.error.message).toMatch(/concurrent modifications/);
    expect(fake.calls(SET)).toHaveLength(6);
    expect(bindings()).toEqual([OWNER_BINDING]);
    expect(auditEvents()).toEqual([
      expect.objectContaining({outcome: 'refused', status: 'ABORTED'}),
    ]);
  });

  it.each<[string, unknown[], string]>([
    [
      'a role the caller is not eligible for',
      ['roles/a', 'roles/owner'],
      'You are not eligible for roles/owner on project alpha-project',
    ],
    [
      'an MPA-only role',
      ['roles/a', 'roles/compute.admin'],
      'You are not eligible to self-activate roles/compute.admin on project alpha-project: it needs approval (request it instead)',
    ],
    [
      'an MPA-only resource condition',
      [{role: 'roles/storage.admin', resourceCondition: 'resource.name=="x"'}],
      'You are not eligible to self-activate roles/storage.admin (resource.name == "x") on project alpha-project: it needs approval (request it instead)',
    ],
    [
      'a resource condition the caller lacks',
      [{role: 'roles/a', resourceCondition: 'true'}],
      'You are not eligible for roles/a (true) on project alpha-project',
    ],
  ])(
    'refuses %s with 403 and writes nothing',
    async (_name, roles, message) => {
      const res = await post({roles, justification: 'x', durationMinutes: 5});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {code: 403, status: 'PERMISSION_DENIED', message},
      });
      expect(fake.calls(SET)).toHaveLength(0);
      expect(bindings()).toEqual([OWNER_BINDING]);
      expect(auditEvents()).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          status: 'PERMISSION_DENIED',
          user: 'alice@example.com',
        }),
      ]);
    },
  );

  const good = {roles: ['roles/a'], justification: 'x', durationMinutes: 5};
  it.each<[string, unknown, RegExp]>([
    ['an unknown field', {...good, reviewers: []}, /Unknown fields: reviewers/],
    [
      'no roles',
      {justification: 'x', durationMinutes: 5},
      /The body must be \{roles: \[role or \{role, resourceCondition\}\]/,
    ],
    [
      'roles not a list',
      {...good, roles: 'roles/a'},
      /The body must be \{roles: \[/,
    ],
    ['an empty list', {...good, roles: []}, /from 1 to 5 entitlements/],
    [
      'too many roles',
      {
        ...good,
        roles: [
          'roles/a',
          'roles/b',
          'roles/c',
          'roles/d',
          'roles/e',
          'roles/browser',
        ],
      },
      /from 1 to 5 entitlements/,
    ],
    [
      'a duplicate',
      {...good, roles: ['roles/a', 'roles/a']},
      /roles\/a more than once/,
    ],
    [
      'a bad role name',
      {...good, roles: ['owner']},
      /roles\[0\]: "owner" is not a valid role name/,
    ],
    [
      'an entitlement with an unknown field',
      {...good, roles: [{role: 'roles/a', x: 1}]},
      /unknown fields: x/,
    ],
    [
      'no justification',
      {roles: ['roles/a'], durationMinutes: 5},
      /justification is required/,
    ],
    [
      'a blank justification',
      {...good, justification: '   '},
      /justification is required/,
    ],
    [
      'a justification over 100 characters',
      {...good, justification: 'j'.repeat(101)},
      /at most 100 characters/,
    ],
    [
      'a justification with NUL',
      {...good, justification: 'case\u000042'},
      /must not contain control characters .*\(found U\+0000\)/,
    ],
    [
      'a justification on two lines',
      {...good, justification: 'x\nApproved by security'},
      /must not contain control characters/,
    ],
    [
      'a justification with a right-to-left override',
      {...good, justification: 'case \u202E24'},
      /must not contain bidirectional formatting characters, .*\(found U\+202E\)/,
    ],
    [
      'no duration',
      {roles: ['roles/a'], justification: 'x'},
      /durationMinutes/,
    ],
    ['a zero duration', {...good, durationMinutes: 0}, /from 1 to 120/],
    [
      'a duration over ACTIVATION_TIMEOUT',
      {...good, durationMinutes: 121},
      /from 1 to 120/,
    ],
    ['a fractional duration', {...good, durationMinutes: 1.5}, /from 1 to 120/],
    [
      'a duration as a string',
      {...good, durationMinutes: '5'},
      /from 1 to 120/,
    ],
    ['a JSON array body', [good], /must be a JSON object/],
  ])(
    'refuses %s with 400 and asks Google nothing',
    async (_name, body, message) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
      expect(res.body.error.message).toMatch(message);
      expect(fake.calls()).toHaveLength(0);
      expect(eligibility.count('listEntitlements')).toBe(0);
    },
  );

  it('keeps only a bounded prefix of a 60 KiB justification or duration in the logs', async () => {
    const huge = 'j'.repeat(30 * 1024);
    const res = await post({
      ...good,
      justification: huge,
      durationMinutes: 'd'.repeat(30 * 1024),
    });
    expect(res.status).toBe(400);
    expect(auditEvents()).toEqual([
      expect.objectContaining({outcome: 'refused', status: 'INVALID_ARGUMENT'}),
    ]);
    for (const line of memory.lines) {
      expect(line.length).toBeLessThan(2_000);
    }
    const [entry] = auditEvents();
    expect(entry!['justification']).toBe(
      `${'j'.repeat(500)}… (${30 * 1024} characters)`,
    );
  });

  it('refuses a plain role that names several entitlements with 400, and writes nothing', async () => {
    const res = await post({...good, roles: ['roles/storage.admin']});
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /name the one you mean as \{role, resourceCondition\}/,
    );
    expect(fake.calls(SET)).toHaveLength(0);
  });

  it('refuses two names of one entitlement with 400, and writes nothing', async () => {
    const res = await post({
      ...good,
      roles: ['roles/browser', {role: 'roles/browser'}],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/roles\/browser more than once/);
    expect(fake.calls(SET)).toHaveLength(0);
  });

  it('refuses a malformed project ID with 400', async () => {
    const res = await post(good, {
      path: '/api/projects/Bad_Project/roles/self-activate',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not a valid project ID/);
    expect(fake.calls()).toHaveLength(0);
  });

  it('answers 404 for a project the catalog does not know, and writes nothing', async () => {
    const res = await post(good, {
      path: '/api/projects/other-project/roles/self-activate',
    });
    expect(res.status).toBe(404);
    expect(fake.calls()).toHaveLength(0);
  });

  it.each([['b/a'], ['see b/1'], ['b/1 ']])(
    'refuses the justification %j that JUSTIFICATION_PATTERN does not match whole',
    async justification => {
      const res = await post(
        {...good, justification},
        {target: 'selfActivateBugNumbers'},
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /does not match the required format \(b\/123\)/,
      );
      expect(fake.calls()).toHaveLength(0);
    },
  );

  it('accepts a justification that JUSTIFICATION_PATTERN matches whole', async () => {
    const res = await post(
      {...good, justification: 'b/123'},
      {target: 'selfActivateBugNumbers'},
    );
    expect(res.status).toBe(200);
  });

  it('logs a bounded list when refusing too many roles', async () => {
    const roles = Array.from({length: 500}, (_, i) => `roles/r${i}`);
    await post({roles, justification: 'b/1', durationMinutes: 5}).expect(400);
    const [event] = auditEvents();
    expect(event).toMatchObject({
      outcome: 'refused',
      status: 'INVALID_ARGUMENT',
    });
    // ACTIVATION_REQUEST_MAX_ROLES is 5 here: one more shows that it was over.
    expect(event!['entitlements']).toEqual(roles.slice(0, 6));
  });

  it('refuses a POST without X-JIT-Access with 400 and one that is not JSON with 415', async () => {
    const noHeader = await request(getTestServer('selfActivate'))
      .post(PATH)
      .set('x-goog-iap-jwt-assertion', iap.assertionFor('alice@example.com'))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(good));
    expect(noHeader.status).toBe(400);
    const notJson = await request(getTestServer('selfActivate'))
      .post(PATH)
      .set('x-goog-iap-jwt-assertion', iap.assertionFor('alice@example.com'))
      .set('X-JIT-Access', '1')
      .set('Content-Type', 'text/plain')
      .send('roles=roles/a');
    expect(notJson.status).toBe(415);
    expect(fake.calls()).toHaveLength(0);
  });

  it('refuses a caller without an IAP assertion with 401', async () => {
    const res = await request(getTestServer('selfActivate'))
      .post(PATH)
      .set('X-JIT-Access', '1')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(good));
    expect(res.status).toBe(401);
    expect(fake.calls()).toHaveLength(0);
  });
});

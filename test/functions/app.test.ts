/**
 * End to end through the real composition root (functions/deps.ts) and the
 * `app` target: the real catalog (AssetInventory) and activator against the
 * fake Google Cloud, the real store on the emulator, real SMTP, real IAP
 * assertions. Nothing in memory.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {makeServices} from '../../functions/deps';
import {buildTarget} from '../../functions/targets';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type World,
} from '../../sandbox/fake-gcp';
import {makeMemoryLogger} from '../../shared/log';
import {makeTestIap, type TestIap} from '../support/iap';
import {
  ALICE,
  BOB,
  CAROL,
  startSmtpCapture,
  type SmtpCapture,
} from '../approvals/harness';
import {uniquePrefix} from '../support/requests';

const PROJECT = 'e2e-approvals';
const ROLE = 'roles/e2e.admin';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

function world(): World {
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: [{email: ALICE}, {email: BOB}, {email: CAROL}],
    groups: [{email: 'approvers@example.com', members: [ALICE, BOB, CAROL]}],
    identityPremium: true,
    projects: [
      {projectId: PROJECT, projectNumber: '9003', parent: 'organizations/1'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        bindings: [
          {
            role: ROLE,
            members: ['group:approvers@example.com'],
            condition: {
              title: 'MPA',
              expression: 'has({}.multiPartyApprovalConstraint)',
            },
          },
        ],
      },
    },
  };
}

let fake: FakeGoogleCloud;
let iap: TestIap;
let smtp: SmtpCapture;
let close: () => Promise<void>;

function post(path: string, user: string, body: unknown = {}) {
  return request(getTestServer('approvalsE2e'))
    .post(path)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(user))
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
}
function get(path: string, user: string) {
  return request(getTestServer('approvalsE2e'))
    .get(path)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(user));
}

beforeAll(async () => {
  fake = await startFakeGoogleCloud(world());
  smtp = await startSmtpCapture();
  iap = await makeTestIap({
    env: {
      ...fakeEndpoints(fake),
      RESOURCE_SCOPE: 'organizations/1',
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      FIRESTORE_COLLECTION_PREFIX: uniquePrefix(),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_ENABLE_STARTTLS: 'false',
      SMTP_SENDER_ADDRESS: 'jit@example.com',
      PUBLIC_BASE_URL: 'https://jit.example.com',
      RATE_LIMIT_PER_MINUTE: '0',
    },
  });
  const services = makeServices(iap.config, makeMemoryLogger().logger);
  // The test IAP's verifier: the same code, with its test key server.
  functions.http(
    'approvalsE2e',
    await buildTarget('app', {...services, verifier: async () => iap.verifier}),
  );
  close = async () => {
    await Promise.all([fake.stop(), smtp.close(), iap.close()]);
  };
});
afterAll(() => close());

describe('multi-party approval end to end (app target, real catalog)', () => {
  it('requests, shows PENDING_APPROVAL, approves, activates once, and shows ACTIVE', async () => {
    const created = await post(
      `/api/projects/${PROJECT}/roles/request`,
      ALICE,
      {
        role: ROLE,
        justification: 'incident 7',
        durationMinutes: 15,
        reviewers: [BOB],
      },
    ).expect(201);
    const roles = await get(`/api/projects/${PROJECT}/roles`, ALICE).expect(
      200,
    );
    expect(roles.body.roles).toContainEqual(
      expect.objectContaining({
        role: ROLE,
        status: 'PENDING_APPROVAL',
        requestId: created.body.id,
      }),
    );
    const writes = fake.calls(SET).length;
    const approved = await post(
      `/api/requests/${created.body.id}/approve`,
      BOB,
    ).expect(200);
    expect(approved.body.state).toBe('ACTIVE');
    expect(fake.calls(SET).length - writes).toBe(1);
    expect(smtp.mails.map(m => m.parsed.subject)).toEqual([
      expect.stringContaining('requests'),
      expect.stringContaining('is active'),
    ]);
  });

  it('refuses a reviewer who is not a peer, naming them', async () => {
    const res = await post(`/api/projects/${PROJECT}/roles/request`, ALICE, {
      role: ROLE,
      justification: 'incident 8',
      durationMinutes: 15,
      reviewers: ['stranger@example.com'],
    }).expect(400);
    expect(res.body.error.message).toContain('stranger@example.com');
  });

  it('records FAILED when the IAM write fails, then a retry activates', async () => {
    const created = await post(
      `/api/projects/${PROJECT}/roles/request`,
      ALICE,
      {
        role: ROLE,
        justification: 'incident 9',
        durationMinutes: 15,
        reviewers: [BOB, CAROL],
      },
    ).expect(201);
    fake.failNext(SET, 403);
    const failed = await post(`/api/requests/${created.body.id}/approve`, BOB);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(
      (await get(`/api/requests/${created.body.id}`, ALICE).expect(200)).body
        .state,
    ).toBe('FAILED');
    const retried = await post(
      `/api/requests/${created.body.id}/approve`,
      BOB,
    ).expect(200);
    expect(retried.body).toMatchObject({
      state: 'ACTIVE',
      approvals: [{reviewer: BOB}],
    });
  });
});

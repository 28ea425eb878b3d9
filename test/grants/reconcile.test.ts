/**
 * Reconciliation against the fake Google Cloud and the Firestore emulator:
 * ACTIVATING grants settled from the policy (with their requests), drift
 * flagged once, orphans reported, expired and leftover bindings removed in
 * at most one write per project, and nothing written when nothing changed.
 */
import {
  ALICE,
  BOB,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  startHarness,
  type Harness,
} from '../approvals/harness';
import type {Grant} from '../../shared/grants/types';
import type {ReconcileSummary} from '../../shared/grants/reconcile';
import {grantFixture} from './fixtures';

const AUDREY = 'audrey@example.com';
const GET = 'cloudresourcemanager.projects.getIamPolicy';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({env: {AUDITOR_PRINCIPALS: `user:${AUDREY}`}});
});
afterAll(() => h.close());

function policy() {
  return h.fake.world.policies![`projects/${PROJECT}`]!;
}

/** Puts a grant's binding into the fake's policy, as a landed write would. */
function land(grant: Grant): void {
  policy().bindings = [
    ...(policy().bindings ?? []),
    {
      role: grant.binding.role,
      members: [grant.binding.member],
      condition: {
        title: grant.binding.title,
        expression: grant.binding.expression,
        description: grant.binding.description,
      },
    },
  ];
}

function holds(grant: Grant): boolean {
  return (policy().bindings ?? []).some(
    b =>
      b.role === grant.binding.role &&
      b.members.includes(grant.binding.member) &&
      b.condition?.expression === grant.binding.expression,
  );
}

async function reconcile(): Promise<ReconcileSummary> {
  return (await h.post('/api/reconcile', AUDREY, {}).expect(200)).body;
}

let minutes = 20;
/** A grant of its own window (bindings never collide across tests). */
function fixture(overrides: Parameters<typeof grantFixture>[0] = {}): Grant {
  return grantFixture({project: PROJECT, minutes: ++minutes, ...overrides});
}

describe('reconciliation', () => {
  it('is for auditors only', async () => {
    await h.post('/api/reconcile', ALICE, {}).expect(403);
  });

  it('settles ACTIVATING grants from the policy: present → ACTIVE, absent and old → FAILED, young → left alone', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const landed = fixture({active: false, createdAt: old});
    const lost = fixture({active: false, createdAt: old});
    const inFlight = fixture({active: false});
    await h.grants.createAll([landed, lost, inFlight]);
    land(landed);
    const summary = await reconcile();
    expect(summary.grantsSettled).toBeGreaterThanOrEqual(2);
    expect((await h.grants.get(landed.id))?.state).toBe('ACTIVE');
    const failed = await h.grants.get(lost.id);
    expect(failed?.state).toBe('FAILED');
    expect(failed?.timeline.at(-1)).toMatchObject({
      actor: 'system',
      event: 'failed',
    });
    expect((await h.grants.get(inFlight.id))?.state).toBe('ACTIVATING');
  });

  it('flags a grant whose binding was removed outside the product, once (sticky)', async () => {
    const grant = fixture();
    await h.grants.createAll([grant]);
    const first = await reconcile();
    expect(first.driftFound).toBeGreaterThanOrEqual(1);
    const flagged = await h.grants.get(grant.id);
    expect(flagged?.externallyModified).toBe(true);
    expect(flagged?.timeline.at(-1)?.event).toBe('externallyModified');
    await reconcile();
    const again = await h.grants.get(grant.id);
    expect(
      again?.timeline.filter(t => t.event === 'externallyModified'),
    ).toHaveLength(1);
    // The auditor's view carries the flag.
    const listed = await h
      .get(`/api/grants?as=auditor&user=${grant.user}`, AUDREY)
      .expect(200);
    expect(
      (listed.body.grants as Grant[]).find(g => g.id === grant.id)
        ?.externallyModified,
    ).toBe(true);
  });

  it('reports an activation binding no record accounts for, and leaves it', async () => {
    const orphan = fixture({user: 'ghost@example.com'});
    land(orphan);
    // A record on the project, so that reconciliation reads its policy.
    const known = fixture();
    await h.grants.createAll([known]);
    land(known);
    const summary = await reconcile();
    expect(summary.orphans).toContainEqual({
      project: PROJECT,
      role: orphan.role,
      member: 'user:ghost@example.com',
      end: orphan.end,
    });
    expect(holds(orphan)).toBe(true);
  });

  it('purges expired activation bindings in one write, removes a FAILED grant’s late binding, then writes nothing', async () => {
    const expired = fixture({start: new Date(Date.now() - 5 * 3600_000)});
    const failedLate = fixture({
      active: false,
      createdAt: new Date(Date.now() - 600_000),
    });
    await h.grants.createAll([expired]);
    await h.grants.putAll([
      {...failedLate, state: 'FAILED', error: 'The IAM write failed'},
    ]);
    land(expired);
    land(failedLate);
    h.fake.resetLog();
    const summary = await reconcile();
    expect(h.fake.calls(GET)).toHaveLength(1);
    expect(h.fake.calls(SET)).toHaveLength(1);
    expect(summary.policiesWritten).toBe(1);
    expect(summary.bindingsPurged).toBeGreaterThanOrEqual(2);
    expect(holds(expired)).toBe(false);
    expect(holds(failedLate)).toBe(false);
    const record = await h.grants.get(failedLate.id);
    expect(record?.state).toBe('FAILED');
    expect(record?.timeline.at(-1)?.event).toBe('leftoverRemoved');

    h.fake.resetLog();
    const quiet = await reconcile();
    expect(quiet.policiesWritten).toBe(0);
    expect(quiet.grantsSettled).toBe(0);
    expect(h.fake.calls(SET)).toEqual([]);
    expect(h.fake.calls(GET)).toHaveLength(1);
  });

  it('settles an APPROVED request whose grant recorded the outcome but whose own update was lost', async () => {
    const created = await h
      .post(REQUEST_PATH, ALICE, requestBody({durationMinutes: 57}))
      .expect(201);
    await h.post(`/api/requests/${created.body.id}/approve`, BOB).expect(200);
    // As if the request's last transaction never committed.
    await h.firestore
      .collection(`${h.iap.config.firestore.collectionPrefix}requests`)
      .doc(created.body.id)
      .update({state: 'APPROVED'});
    const summary = await reconcile();
    expect(summary.requestsSettled).toBeGreaterThanOrEqual(1);
    expect(
      (await h.get(`/api/requests/${created.body.id}`, ALICE)).body.state,
    ).toBe('ACTIVE');
  });

  it('settles an approval whose IAM write went unanswered and could not be read back: APPROVED and ACTIVATING until the policy shows the binding', async () => {
    const created = await h
      .post(REQUEST_PATH, ALICE, requestBody({durationMinutes: 55}))
      .expect(201);
    // The first read passes; the write and every later read go unanswered.
    h.fake.failNext(SET, 503, 100_000);
    h.fake.failNext(GET, 503, 100_000, 1);
    const res = await h.post(`/api/requests/${created.body.id}/approve`, BOB);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/may or may not have been written/);
    h.fake.clearFaults();
    const request = (await h.get(`/api/requests/${created.body.id}`, ALICE))
      .body;
    expect(request.state).toBe('APPROVED');
    const grant = (
      (await h.get('/api/grants', ALICE)).body.grants as Grant[]
    ).find(g => g.origin === created.body.id)!;
    expect(grant.state).toBe('ACTIVATING');
    // IAM applied the write after all.
    land(grant);
    // Reconciliation leaves young grants alone: age this one.
    await h.grants.putAll([
      {...grant, createdAt: new Date(Date.now() - 600_000).toISOString()},
    ]);
    await reconcile();
    expect((await h.grants.get(grant.id))?.state).toBe('ACTIVE');
    expect(
      (await h.get(`/api/requests/${created.body.id}`, ALICE)).body.state,
    ).toBe('ACTIVE');
  });
});

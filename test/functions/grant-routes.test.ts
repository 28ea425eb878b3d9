/**
 * The grant ledger through its routes, end to end: self-activations and
 * approvals leave records; holders, reviewers and auditors see what they may;
 * revoke removes exactly the binding from the fake Google Cloud's policy,
 * mails the approvers, and refuses what cannot be ended with 409.
 */
import {
  ALICE,
  BOB,
  CAROL,
  GINA,
  MALLORY,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  startHarness,
  type Harness,
} from '../approvals/harness';
import type {Grant} from '../../shared/grants/types';
import {GOOGLE_EMULATOR, NO_ISOLATION_REASON} from '../support/requests';
import {itIf} from '../support/skip';
import {grantFixture} from '../grants/fixtures';

const AUDREY = 'audrey@example.com';
const JIT_ROLE = 'roles/viewer';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    env: {AUDITOR_PRINCIPALS: `user:${AUDREY},group:auditors@example.com`},
  });
  for (const user of [ALICE, BOB, CAROL]) {
    h.eligibility.grants.push({
      project: PROJECT,
      user,
      type: 'JIT',
      role: JIT_ROLE,
    });
  }
});
afterAll(() => h.close());

function policyBindings() {
  return h.fake.world.policies![`projects/${PROJECT}`]!.bindings ?? [];
}

function holds(grant: Grant): boolean {
  return policyBindings().some(
    b =>
      b.role === grant.binding.role &&
      b.members.includes(grant.binding.member) &&
      b.condition?.expression === grant.binding.expression,
  );
}

let minutes = 10;
/** Self-activates JIT_ROLE for `user` (a window of its own) and answers the grant. */
async function selfActivate(user: string): Promise<Grant> {
  const res = await h
    .post(`/api/projects/${PROJECT}/roles/self-activate`, user, {
      roles: [JIT_ROLE],
      justification: 'case 7',
      durationMinutes: ++minutes,
    })
    .expect(200);
  const id = res.body.activations[0].grantId as string;
  return (await h.get(`/api/grants/${id}`, user).expect(200)).body;
}

describe('grant records', () => {
  it('records a self-activation ACTIVE with the exact binding and its timeline', async () => {
    const grant = await selfActivate(ALICE);
    expect(grant).toMatchObject({
      user: ALICE,
      project: PROJECT,
      role: JIT_ROLE,
      state: 'ACTIVE',
      origin: 'self',
      approvers: [],
      justification: 'case 7',
      binding: {
        role: JIT_ROLE,
        member: `user:${ALICE}`,
        title: 'JIT access activation',
        description: 'Self-approved, justification: case 7',
      },
    });
    expect(grant.timeline.map(t => t.event)).toEqual([
      'activating',
      'activated',
    ]);
    expect(holds(grant)).toBe(true);
    const listed = await h.get('/api/grants', ALICE).expect(200);
    expect(listed.body.grants.map((g: Grant) => g.id)).toContain(grant.id);
    expect(
      h.log
        .entries()
        .filter(e => {
          const labels = e['logging.googleapis.com/labels'] as Record<
            string,
            string
          >;
          return labels?.['grantId'] === grant.id;
        })
        .map(
          e =>
            (e['logging.googleapis.com/labels'] as Record<string, string>)[
              'event'
            ],
        ),
    ).toEqual(['grant.activating', 'grant.activated']);
  });

  it('ends the earlier record when the role is activated again (its binding is replaced), and reconciliation sees no drift', async () => {
    const first = await selfActivate(BOB);
    const second = await selfActivate(BOB);
    expect(holds(first)).toBe(false);
    expect(holds(second)).toBe(true);
    const ended = (await h.get(`/api/grants/${first.id}`, BOB).expect(200))
      .body as Grant;
    expect(ended.state).toBe('EXPIRED');
    expect(ended.end).toBe(second.start);
    expect(ended.timeline.at(-1)).toMatchObject({
      event: 'replaced',
      actor: BOB,
    });
    await h.post('/api/reconcile', AUDREY, {}).expect(200);
    const after = (await h.get(`/api/grants/${first.id}`, BOB)).body as Grant;
    expect(after.externallyModified).toBeUndefined();
  });

  it('records an approved request with its request id and approvers; the reviewer sees it', async () => {
    const created = await h
      .post(REQUEST_PATH, ALICE, requestBody())
      .expect(201);
    await h.post(`/api/requests/${created.body.id}/approve`, BOB).expect(200);
    const mine = await h.get('/api/grants?as=holder', ALICE).expect(200);
    const grant = (mine.body.grants as Grant[]).find(
      g => g.origin === created.body.id,
    );
    expect(grant).toMatchObject({state: 'ACTIVE', approvers: [BOB]});
    const reviewed = await h.get('/api/grants?as=reviewer', BOB).expect(200);
    expect(reviewed.body.grants.map((g: Grant) => g.id)).toEqual([grant!.id]);
    // Carol was asked, but did not approve: not hers to see.
    await h.get(`/api/grants/${grant!.id}`, CAROL).expect(404);
  });

  it('answers 404 to a stranger and for an id not of our format, and 403 for as=auditor to a non-auditor', async () => {
    const grant = await selfActivate(ALICE);
    await h.get(`/api/grants/${grant.id}`, MALLORY).expect(404);
    await h.get('/api/grants/__x__', ALICE).expect(404);
    await h.get('/api/grants?as=auditor', MALLORY).expect(403);
    await h.get('/api/grants?as=nobody', ALICE).expect(400);
    await h.get('/api/grants?state=GONE', ALICE).expect(400);
  });

  it('lets an auditor by nested group list everyone, filtered by user, project and state', async () => {
    const grant = await selfActivate(CAROL);
    const res = await h
      .get(
        `/api/grants?as=auditor&user=${CAROL}&project=${PROJECT}&state=ACTIVE`,
        GINA,
      )
      .expect(200);
    expect(res.body.grants.map((g: Grant) => g.id)).toContain(grant.id);
    expect(res.body.grants.every((g: Grant) => g.user === CAROL)).toBe(true);
    await h.get(`/api/grants/${grant.id}`, GINA).expect(200);
    // The holder's view tells the UI whether to offer the auditor's.
    expect((await h.get('/api/grants', GINA).expect(200)).body.auditor).toBe(
      true,
    );
    expect((await h.get('/api/grants', CAROL).expect(200)).body.auditor).toBe(
      false,
    );
  });
});

describe('revoke', () => {
  it('ends a holder’s own grant: the binding leaves the policy, the record reads REVOKED, and a second revoke is 409', async () => {
    const grant = await selfActivate(ALICE);
    const res = await h
      .post(`/api/grants/${grant.id}/revoke`, ALICE, {})
      .expect(200);
    expect(res.body.grant).toMatchObject({state: 'REVOKED', revokedBy: ALICE});
    expect(res.body.bindingRemoved).toBe(true);
    expect(res.body.note).toMatch(/typically 2, up to 7/);
    expect(holds(grant)).toBe(false);
    const again = await h
      .post(`/api/grants/${grant.id}/revoke`, ALICE, {})
      .expect(409);
    expect(again.body.error.message).toMatch(/already been revoked by alice/);
  });

  it('lets an auditor end another user’s grant with a reason only, and refuses anyone else with 404', async () => {
    const grant = await selfActivate(BOB);
    await h
      .post(`/api/grants/${grant.id}/revoke`, MALLORY, {reason: 'x'})
      .expect(404);
    const noReason = await h
      .post(`/api/grants/${grant.id}/revoke`, AUDREY, {})
      .expect(400);
    expect(noReason.body.error.message).toMatch(/reason is required/);
    await h
      .post(`/api/grants/${grant.id}/revoke`, AUDREY, {reason: 'line\nbreak'})
      .expect(400);
    expect(holds(grant)).toBe(true);
    const res = await h
      .post(`/api/grants/${grant.id}/revoke`, AUDREY, {reason: 'incident 9'})
      .expect(200);
    expect(res.body.grant).toMatchObject({
      state: 'REVOKED',
      revokedBy: AUDREY,
      revokeReason: 'incident 9',
    });
    expect(holds(grant)).toBe(false);
  });

  it('mails the approvers when an approved grant is ended, the holder in copy', async () => {
    const created = await h
      .post(REQUEST_PATH, ALICE, requestBody({role: 'roles/compute.viewer'}))
      .expect(201);
    await h.post(`/api/requests/${created.body.id}/approve`, CAROL).expect(200);
    const grant = (
      (await h.get('/api/grants', ALICE)).body.grants as Grant[]
    ).find(g => g.origin === created.body.id)!;
    h.smtp.mails.length = 0;
    await h
      .post(`/api/grants/${grant.id}/revoke`, ALICE, {reason: 'done early'})
      .expect(200);
    expect(h.smtp.mails).toHaveLength(1);
    const mail = h.smtp.mails[0]!;
    expect(mail.envelopeTo.sort()).toEqual([ALICE, CAROL].sort());
    expect(mail.parsed.subject).toContain('ended early');
    expect(mail.parsed.text).toContain('done early');
    expect(mail.parsed.text).toContain(`/requests/${created.body.id}`);
  });

  it('refuses an expired grant with 409 and writes nothing', async () => {
    const expired = grantFixture({
      user: ALICE,
      project: PROJECT,
      role: JIT_ROLE,
      start: new Date(Date.now() - 3 * 3600_000),
      minutes: 60,
    });
    await h.grants.createAll([expired]);
    h.fake.resetLog();
    const res = await h
      .post(`/api/grants/${expired.id}/revoke`, ALICE, {})
      .expect(409);
    expect(res.body.error.message).toMatch(/already expired/);
    expect(h.fake.calls(SET)).toEqual([]);
  });

  it('records nothing when IAM cannot be written: the grant stays ACTIVE and its binding in place', async () => {
    const grant = await selfActivate(ALICE);
    h.fake.failNext(SET, 403, 1);
    await h.post(`/api/grants/${grant.id}/revoke`, ALICE, {}).expect(503);
    h.fake.clearFaults();
    expect((await h.get(`/api/grants/${grant.id}`, ALICE)).body.state).toBe(
      'ACTIVE',
    );
    expect(holds(grant)).toBe(true);
  });

  itIf(GOOGLE_EMULATOR, NO_ISOLATION_REASON)(
    'lets one of two concurrent revokes through and answers the other 409',
    async () => {
      const grant = await selfActivate(ALICE);
      const [a, b] = await Promise.all([
        h.post(`/api/grants/${grant.id}/revoke`, ALICE, {}),
        h.post(`/api/grants/${grant.id}/revoke`, AUDREY, {reason: 'incident'}),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect(holds(grant)).toBe(false);
      const stored = (await h.get(`/api/grants/${grant.id}`, ALICE))
        .body as Grant;
      expect(stored.timeline.filter(t => t.event === 'revoked')).toHaveLength(
        1,
      );
    },
  );
});

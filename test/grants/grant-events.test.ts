/**
 * The ledger's events on NOTIFICATION_TOPIC (docs/design.md §2.2), through
 * the real routes to the fake Google Cloud's Pub/Sub: ActivationRevoked when
 * a grant is ended early, ActivationExternallyModified once when
 * reconciliation finds a grant's binding gone from IAM.
 */
import type {Grant} from '../../shared/grants/types';
import {ALICE, PROJECT, startHarness, type Harness} from '../approvals/harness';
import {grantFixture} from './fixtures';

const AUDREY = 'audrey@example.com';

let h: Harness;
let topic: string;
beforeAll(async () => {
  h = await startHarness({
    env: {
      AUDITOR_PRINCIPALS: `user:${AUDREY}`,
      NOTIFICATION_TOPIC: 'jit-events',
    },
  });
  topic = h.iap.config.notificationTopic!;
  h.fake.world.topics = {[topic]: []};
});
afterAll(() => h.close());

/** The events published so far, decoded. */
function published(): Array<{
  type: string;
  attributes: Record<string, unknown>;
}> {
  return (h.fake.world.topics?.[topic] ?? []).map(m =>
    JSON.parse(Buffer.from(m.data ?? '', 'base64').toString('utf8')),
  );
}

let minutes = 40;
function fixture(): Grant {
  return grantFixture({user: ALICE, project: PROJECT, minutes: ++minutes});
}

it('publishes ActivationRevoked when a holder ends a grant, with who, why and the grant', async () => {
  const grant = fixture();
  await h.grants.createAll([grant]);
  await h
    .post(`/api/grants/${grant.id}/revoke`, ALICE, {reason: 'done early'})
    .expect(200);
  const events = published().filter(e => e.type === 'ActivationRevoked');
  expect(events).toHaveLength(1);
  expect(Object.keys(events[0]!.attributes).sort()).toEqual(
    [
      'revoker',
      'beneficiary',
      'project_id',
      'role',
      'resource_condition',
      'start_time',
      'end_time',
      'justification',
      'reason',
      'grant_id',
      'base_url',
    ].sort(),
  );
  expect(events[0]!.attributes).toMatchObject({
    revoker: ALICE,
    beneficiary: ALICE,
    project_id: PROJECT,
    role: grant.role,
    reason: 'done early',
    grant_id: grant.id,
    base_url: 'https://jit.example.com/',
  });
});

it('publishes ActivationExternallyModified once, when reconciliation first finds the binding gone', async () => {
  const grant = fixture();
  await h.grants.createAll([grant]);
  const before = published().length;
  await h.post('/api/reconcile', AUDREY, {}).expect(200);
  await h.post('/api/reconcile', AUDREY, {}).expect(200);
  const events = published()
    .slice(before)
    .filter(
      e =>
        e.type === 'ActivationExternallyModified' &&
        e.attributes['grant_id'] === grant.id,
    );
  expect(events).toHaveLength(1);
  expect(events[0]!.attributes).toMatchObject({
    beneficiary: ALICE,
    project_id: PROJECT,
    role: grant.role,
    detail: expect.stringMatching(/.+/),
  });
});

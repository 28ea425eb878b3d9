/**
 * Four approvers with long addresses: the activation's condition description
 * must stay within IAM's 256 characters (the fake refuses longer, as Google
 * does), so the later approvers are counted rather than listed.
 */
import {
  ALICE,
  Harness,
  mpaGrant,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  ROLE,
  startHarness,
} from './harness';

/** An address of 50 characters: four of them and the justification are over 256. */
const long = (name: string) =>
  `${name}.${'x'.repeat(50 - name.length - 1 - '@example.com'.length)}@example.com`;
const REVIEWERS = ['rev1', 'rev2', 'rev3', 'rev4'].map(long);
const JUSTIFICATION = 'j'.repeat(100);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {ACTIVATION_REQUEST_REQUIRED_APPROVALS: '4'},
  });
  h.eligibility.grants.push(...REVIEWERS.map(mpaGrant));
});
afterAll(() => h.close());

it('activates with four long approvers, listing those that fit and counting the rest', async () => {
  const created = await h
    .post(
      REQUEST_PATH,
      ALICE,
      requestBody({reviewers: REVIEWERS, justification: JUSTIFICATION}),
    )
    .expect(201);
  const id = created.body.id as string;
  for (const r of REVIEWERS.slice(0, 3)) {
    await h.post(`/api/requests/${id}/approve`, r).expect(200);
  }
  const res = await h.post(`/api/requests/${id}/approve`, REVIEWERS[3]!);
  expect(res.status).toBe(200);
  expect(res.body.state).toBe('ACTIVE');
  const binding = h.fake.world.policies![`projects/${PROJECT}`]!.bindings!.find(
    b => b.role === ROLE && b.members.includes(`user:${ALICE}`),
  );
  const description = binding?.condition?.description ?? '';
  expect(description).toBe(
    `Approved by ${REVIEWERS[0]}, ${REVIEWERS[1]} +2 more, justification: ${JUSTIFICATION}`,
  );
  expect(description.length).toBeLessThanOrEqual(256);
});

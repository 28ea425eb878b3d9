/**
 * The cap on a requester's open requests (ACTIVATION_REQUEST_MAX_PENDING),
 * through the request route with the real store on the run's emulator.
 */
import {
  ALICE,
  Harness,
  OTHER_ROLE,
  REQUEST_PATH,
  requestBody,
  startHarness,
} from '../approvals/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({env: {ACTIVATION_REQUEST_MAX_PENDING: '1'}});
});
afterAll(() => h.close());

it('refuses a request past the cap with 429, and accepts one once a request is closed', async () => {
  const first = (await h.post(REQUEST_PATH, ALICE, requestBody()).expect(201))
    .body as {id: string};
  const refused = await h
    .post(REQUEST_PATH, ALICE, requestBody({role: OTHER_ROLE}))
    .expect(429);
  expect(refused.body.error).toMatchObject({
    status: 'RESOURCE_EXHAUSTED',
    message: expect.stringMatching(/1 open request/),
  });
  await h.post(`/api/requests/${first.id}/withdraw`, ALICE, {}).expect(200);
  await h
    .post(REQUEST_PATH, ALICE, requestBody({role: OTHER_ROLE}))
    .expect(201);
});

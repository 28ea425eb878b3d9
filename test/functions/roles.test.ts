/**
 * Target `roles` (and `app`, which serves the same routes) as deployed: the
 * package entry registers them with functions-framework, the composition root
 * wires the real IAP verifier, and requests carry real ES256 assertions whose
 * keys come from a loopback key server.
 */
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {UNAUTHENTICATED_MESSAGE} from '../../shared/iap';
import {makeTestIap, type TestIap} from '../support/iap';

let iap: TestIap;

beforeAll(async () => {
  iap = await makeTestIap({
    env: {ACTIVATION_TIMEOUT: '240', JUSTIFICATION_HINT: 'Ticket number'},
  });
  // jest gives each test file its own process.env; the entry reads it once.
  for (const [k, v] of Object.entries(iap.env)) process.env[k] = v;
  require('../../functions');
});
afterAll(() => iap.close());

describe.each(['roles', 'app'])('target %s', target => {
  const server = () => getTestServer(target);

  it('answers GET /health without an identity', async () => {
    const res = await request(server()).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({healthy: true});
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers GET /api/policy for the caller the assertion names', async () => {
    const res = await request(server())
      .get('/api/policy')
      .set('x-goog-iap-jwt-assertion', iap.assertionFor('Carol@Example.com'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      signedInUser: {email: 'carol@example.com'},
      justificationHint: 'Ticket number',
      justificationPattern: '.*',
      defaultActivationMinutes: 60,
      maxActivationMinutes: 240,
      minReviewers: 1,
      maxReviewers: 10,
      requiredApprovals: 1,
      maxRoles: 10,
      requestTimeoutMinutes: 60,
      scope: 'projects/test-project',
    });
  });

  it('refuses GET /api/policy without an assertion, whatever the unsigned headers say', async () => {
    const res = await request(server())
      .get('/api/policy')
      .set(
        'x-goog-authenticated-user-email',
        'accounts.google.com:carol@example.com',
      );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 401,
        status: 'UNAUTHENTICATED',
        message: UNAUTHENTICATED_MESSAGE,
      },
    });
  });
});

/**
 * The assertion rules of docs/design.md §3, through a real HTTP function: real ES256
 * assertions, the real verifier, keys from a loopback server. Every refusal
 * is a 401 in Google's error shape that reveals no token text, in the body
 * or in the logs.
 */
import * as crypto from 'crypto';
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {makeHttpFunction} from '../../shared/http';
import {UNAUTHENTICATED_MESSAGE} from '../../shared/iap';
import {makeMemoryLogger} from '../../shared/log';
import {makeRolesRoutes} from '../../functions/roles/routes';
import {base64url, makeIapSigner} from '../../sandbox/iap-signer';
import {makeTestIap, TEST_AUDIENCE, type TestIap} from '../support/iap';
import {servicesOver} from '../support/services';

const memory = makeMemoryLogger();
let iap: TestIap;
let server: ReturnType<typeof getTestServer>;

beforeAll(async () => {
  iap = await makeTestIap({log: memory.logger});
  functions.http(
    'iapAssertions',
    makeHttpFunction({
      routes: makeRolesRoutes(servicesOver({config: iap.config})),
      verifier: iap.verifier,
      log: memory.logger,
      rateLimitPerMinute: 0,
    }),
  );
  server = getTestServer('iapAssertions');
});
afterAll(() => iap.close());
beforeEach(() => memory.lines.splice(0));

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token with a header and payload of our choosing, signed as asked. */
function handMade(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (input: string) => string,
): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${sign(input)}`;
}

function validPayload(): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    iss: 'https://cloud.google.com/iap',
    aud: TEST_AUDIENCE,
    email: 'alice@example.com',
    sub: 'accounts.google.com:1234',
    iat,
    exp: iat + 600,
  };
}

describe('a valid assertion', () => {
  it('answers 200 with the lower-cased email of the caller', async () => {
    const res = await request(server)
      .get('/api/policy')
      .set('x-goog-iap-jwt-assertion', iap.assertionFor('Alice@Example.COM'));
    expect(res.status).toBe(200);
    expect(res.body.signedInUser).toEqual({email: 'alice@example.com'});
  });

  it('logs sub and access levels to the audit log, not the token', async () => {
    const token = iap.assertionFor('bob@example.com', {
      sub: 'accounts.google.com:777',
      google: {access_levels: ['accessPolicies/1/accessLevels/corp']},
    });
    await request(server)
      .get('/api/policy')
      .set('x-goog-iap-jwt-assertion', token)
      .expect(200);
    const audit = memory
      .entries()
      .find(e => e['message'] === 'IAP assertion accepted');
    expect(audit).toMatchObject({
      sub: 'accounts.google.com:777',
      accessLevels: ['accessPolicies/1/accessLevels/corp'],
      'logging.googleapis.com/labels': {
        event: 'iap.authenticate',
        outcome: 'success',
        user: 'bob@example.com',
      },
    });
    expect(memory.lines.join('\n')).not.toContain(token.split('.')[2]);
  });

  it.each([
    [
      'expired 29 s ago',
      () => ({exp: nowSeconds() - 29, iat: nowSeconds() - 629}),
    ],
    ['issued 29 s in the future', () => ({iat: nowSeconds() + 29})],
  ])('is accepted within the 30 s skew: %s', async (_name, claims) => {
    await request(server)
      .get('/api/policy')
      .set(
        'x-goog-iap-jwt-assertion',
        iap.assertionFor('alice@example.com', claims()),
      )
      .expect(200);
  });
});

describe('a refused assertion', () => {
  const refusals: Array<[string, () => Record<string, string>, string]> = [
    ['no header', () => ({}), 'no assertion header'],
    [
      'only x-goog-authenticated-user-email',
      () => ({
        'x-goog-authenticated-user-email':
          'accounts.google.com:alice@example.com',
        'x-goog-authenticated-user-id': 'accounts.google.com:1234',
      }),
      'no assertion header',
    ],
    [
      'alg none',
      () => ({
        'x-goog-iap-jwt-assertion': handMade(
          {alg: 'none', typ: 'JWT', kid: iap.signer.kid},
          validPayload(),
          () => '',
        ),
      }),
      'is not ES256',
    ],
    [
      'HS256 keyed with the public key PEM',
      () => ({
        'x-goog-iap-jwt-assertion': handMade(
          {alg: 'HS256', typ: 'JWT', kid: iap.signer.kid},
          validPayload(),
          input =>
            crypto
              .createHmac('sha256', iap.signer.publicKeyPem)
              .update(input)
              .digest('base64url'),
        ),
      }),
      'is not ES256',
    ],
    [
      'wrong audience',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor('alice@example.com', {
          aud: '/projects/123456789012/global/backendServices/999',
        }),
      }),
      'wrong audience',
    ],
    [
      'wrong issuer',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor('alice@example.com', {
          iss: 'https://accounts.google.com',
        }),
      }),
      'wrong issuer',
    ],
    [
      'expired by 31 s',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor('alice@example.com', {
          iat: nowSeconds() - 631,
          exp: nowSeconds() - 31,
        }),
      }),
      // The library alone would have let this through (it allows 300 s).
      'expired',
    ],
    [
      'expired by 10 min',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor('alice@example.com', {
          iat: nowSeconds() - 1200,
          exp: nowSeconds() - 600,
        }),
      }),
      'expired',
    ],
    [
      'iat 31 s in the future',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor('alice@example.com', {
          iat: nowSeconds() + 31,
        }),
      }),
      'issued in the future',
    ],
    [
      'unknown kid',
      () => ({
        'x-goog-iap-jwt-assertion': iap.assertionFor(
          'alice@example.com',
          {},
          {kid: 'no-such-key'},
        ),
      }),
      'unknown key id',
    ],
    [
      'signed by another key with our kid',
      () => ({
        'x-goog-iap-jwt-assertion': makeIapSigner({kid: iap.signer.kid}).sign({
          email: 'alice@example.com',
          aud: TEST_AUDIENCE,
        }),
      }),
      'signature',
    ],
    [
      'tampered payload',
      () => {
        const [h, , s] = iap.assertionFor('alice@example.com').split('.');
        const p = base64url(
          JSON.stringify({...validPayload(), email: 'admin@example.com'}),
        );
        return {'x-goog-iap-jwt-assertion': `${h}.${p}.${s}`};
      },
      'signature',
    ],
    [
      'garbage',
      () => ({'x-goog-iap-jwt-assertion': 'not-a-token-at-all'}),
      'not a compact JWS',
    ],
    [
      'garbage in three parts',
      () => ({'x-goog-iap-jwt-assertion': 'Zm9vYmFy.YmF6cXV4.c2lnbmF0dXJl'}),
      'not JSON',
    ],
  ];

  it.each(refusals)(
    '%s: 401 without token text',
    async (_name, headers, reason) => {
      const sent = headers();
      const res = await request(server).get('/api/policy').set(sent);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          code: 401,
          status: 'UNAUTHENTICATED',
          message: UNAUTHENTICATED_MESSAGE,
        },
      });

      const refusal = memory
        .entries()
        .filter(
          e =>
            (
              e['logging.googleapis.com/labels'] as
                Record<string, string> | undefined
            )?.['event'] === 'iap.authenticate',
        );
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toMatchObject({
        severity: 'WARNING',
        'logging.googleapis.com/labels': {outcome: 'refused'},
      });
      expect(String(refusal[0]?.['reason'])).toContain(reason);

      // Neither the body nor any log line carries a piece of the token.
      const token = sent['x-goog-iap-jwt-assertion'];
      for (const piece of (token ?? '').split('.').filter(p => p.length >= 8)) {
        expect(res.text).not.toContain(piece);
        expect(memory.lines.join('\n')).not.toContain(piece);
      }
    },
  );

  it('never reveals which routes exist to an unauthenticated caller', async () => {
    const res = await request(server).get('/api/no-such-thing');
    expect(res.status).toBe(401);
  });
});

/**
 * The sandbox's IAP stand-in signs assertions shaped like IAP's, checked
 * here with node:crypto alone, so that the signer and the verifier cannot
 * agree on a bug.
 */
import * as crypto from 'crypto';
import {IAP_ISSUER, makeIapSigner} from '../../sandbox/iap-signer';

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

describe('the IAP signer', () => {
  const signer = makeIapSigner();

  it('makes a compact ES256 JWS with IAP header and claims', () => {
    const now = Date.UTC(2030, 0, 1);
    const token = signer.sign(
      {email: 'alice@example.com', aud: '/projects/1/apps/p'},
      {now},
    );
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(decode(h)).toEqual({alg: 'ES256', typ: 'JWT', kid: signer.kid});
    const claims = decode(p);
    expect(claims).toEqual({
      iss: IAP_ISSUER,
      aud: '/projects/1/apps/p',
      email: 'alice@example.com',
      sub: expect.stringMatching(/^accounts\.google\.com:[0-9]+$/),
      iat: now / 1000,
      exp: now / 1000 + 600,
    });
    const pem = signer.publicKeys()[signer.kid]!;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const valid = crypto.verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      {key: pem, dsaEncoding: 'ieee-p1363'},
      Buffer.from(s, 'base64url'),
    );
    expect(valid).toBe(true);
    // ES256 signatures are r||s, 32 bytes each.
    expect(Buffer.from(s, 'base64url')).toHaveLength(64);
  });

  it('gives each user a stable subject, and keeps claims it is given', () => {
    const a = decode(
      signer.sign({email: 'Bob@example.com', aud: 'x'}).split('.')[1]!,
    );
    const b = decode(
      signer
        .sign({
          email: 'bob@example.com',
          aud: 'x',
          google: {access_levels: ['l']},
        })
        .split('.')[1]!,
    );
    expect(a['sub']).toBe(b['sub']);
    expect(b['google']).toEqual({access_levels: ['l']});
  });

  it('serves one PEM per key id, as IAP does', () => {
    const other = makeIapSigner({kid: 'fixed'});
    expect(Object.keys(other.publicKeys())).toEqual(['fixed']);
    expect(other.kid).toBe('fixed');
  });
});

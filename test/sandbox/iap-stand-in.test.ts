import * as http from 'http';
import type {AddressInfo} from 'net';
import * as crypto from 'crypto';
import {makeIapSigner} from '../../sandbox/iap-signer';
import {startStandIn, StandIn, KEYS_PATH} from '../../sandbox/iap-stand-in';
import type {WorldMessage, WorldPolicy} from '../../sandbox/fake-gcp';
import type {MailSink, SandboxMail} from '../../sandbox/mail-sink';
import {extractLinks} from '../../sandbox/mail-sink';

const AUDIENCE = '/projects/1/global/backendServices/2';
const signer = makeIapSigner();
const mails: SandboxMail[] = [];
const mail: MailSink = {
  host: '127.0.0.1',
  port: 0,
  mails,
  stop: async () => {},
};

let upstream: http.Server;
let upstreamUrl: string;
let seen: http.IncomingHttpHeaders[] = [];
let standIn: StandIn;
let base: string;

const TOPIC = 'projects/p-123456/topics/jit-access-events';
const published: WorldMessage[] = [];
const ACTIVATION = {
  role: 'roles/viewer',
  members: ['user:alice@example.com'],
  condition: {
    title: 'JIT access activation',
    expression:
      '(request.time >= timestamp("2040-01-01T00:00:00Z") && request.time < timestamp("2040-01-01T01:00:00Z"))',
  },
};
const policies: Record<string, WorldPolicy> = {
  'projects/p1': {
    bindings: [
      {role: 'roles/owner', members: ['user:root@example.com']},
      ACTIVATION,
    ],
  },
};

beforeAll(async () => {
  // The "functions": echo what reached them.
  upstream = http.createServer((req, res) => {
    seen.push(req.headers);
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end(JSON.stringify({method: req.method, url: req.url, body}));
    });
  });
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  standIn = await startStandIn({
    port: 0,
    users: [
      {email: 'alice@example.com', displayName: 'Alice <admin>'},
      {email: 'bob@example.com'},
    ],
    signer,
    audience: AUDIENCE,
    mail,
    events: {topic: TOPIC, messages: () => published},
    policies: () => policies,
    upstream: () => upstreamUrl,
  });
  base = `http://127.0.0.1:${standIn.port}`;
});

afterAll(async () => {
  await standIn.stop();
  upstream.closeAllConnections();
  await new Promise<void>(r => upstream.close(() => r()));
});

beforeEach(() => {
  seen = [];
  mails.length = 0;
});

async function signIn(email: string): Promise<string> {
  const res = await fetch(
    `${base}/sandbox/login?as=${encodeURIComponent(email)}`,
    {redirect: 'manual'},
  );
  expect(res.status).toBe(302);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

function verify(token: string): Record<string, unknown> {
  const [header, payload, signature] = token.split('.');
  const ok = crypto.verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    {key: signer.publicKeyPem, dsaEncoding: 'ieee-p1363'},
    Buffer.from(signature!, 'base64url'),
  );
  expect(ok).toBe(true);
  expect(
    JSON.parse(Buffer.from(header!, 'base64url').toString()),
  ).toMatchObject({alg: 'ES256', kid: signer.kid});
  return JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('IAP stand-in', () => {
  it('sends a visitor who is not signed in to the sign-in page, keeping the path', async () => {
    const res = await fetch(`${base}/requests/abc?x=1`, {redirect: 'manual'});
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      '/sandbox/login?next=%2Frequests%2Fabc%3Fx%3D1',
    );
    expect(seen).toHaveLength(0);
  });

  it('answers an API call without a session with 401 JSON', async () => {
    const res = await fetch(`${base}/api/policy`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: {status: 'UNAUTHENTICATED'},
    });
  });

  it('lists the seeded users on the sign-in page, escaped', async () => {
    const html = await (await fetch(`${base}/sandbox/login`)).text();
    expect(html).toContain('/sandbox/login?as=alice%40example.com');
    expect(html).toContain('Alice &lt;admin&gt;');
    expect(html).not.toContain('<admin>');
  });

  it('refuses to sign in a user who is not in the seed', async () => {
    const res = await fetch(`${base}/sandbox/login?as=mallory@example.com`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('redirects after sign-in only to a path on this site', async () => {
    for (const [next, expected] of [
      ['/requests/r1', '/requests/r1'],
      ['//evil.example', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
    ]) {
      const res = await fetch(
        `${base}/sandbox/login?as=bob@example.com&next=${encodeURIComponent(next!)}`,
        {redirect: 'manual'},
      );
      expect(res.headers.get('location')).toBe(expected);
    }
  });

  it('forwards with a real ES256 assertion for the signed-in user, and strips identity headers', async () => {
    const cookie = await signIn('Alice@Example.com');
    const res = await fetch(`${base}/api/projects/p/roles/self-activate`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        'x-goog-iap-jwt-assertion': 'forged',
        'X-Goog-Authenticated-User-Email':
          'accounts.google.com:mallory@example.com',
        'x-goog-iap-anything': 'x',
      },
      body: '{"a":1}',
    });
    expect(await res.json()).toEqual({
      method: 'POST',
      url: '/api/projects/p/roles/self-activate',
      body: '{"a":1}',
    });
    const headers = seen[0]!;
    const claims = verify(headers['x-goog-iap-jwt-assertion'] as string);
    expect(claims).toMatchObject({
      email: 'alice@example.com',
      aud: AUDIENCE,
      iss: 'https://cloud.google.com/iap',
    });
    expect(headers['x-goog-authenticated-user-email']).toBe(
      'accounts.google.com:alice@example.com',
    );
    expect(headers['x-goog-iap-anything']).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
  });

  it('issues ID tokens for programmatic callers and forwards their calls with an assertion, the token stripped', async () => {
    const tokenRes = await fetch(`${base}/sandbox/token?as=bob@example.com`);
    expect(tokenRes.status).toBe(200);
    const token = await tokenRes.text();
    for (const header of ['authorization', 'proxy-authorization']) {
      seen = [];
      const res = await fetch(`${base}/api/requests`, {
        headers: {[header]: `Bearer ${token}`},
      });
      expect(res.status).toBe(200);
      const claims = verify(seen[0]!['x-goog-iap-jwt-assertion'] as string);
      expect(claims).toMatchObject({email: 'bob@example.com', aud: AUDIENCE});
      expect(seen[0]!['authorization']).toBeUndefined();
      expect(seen[0]!['proxy-authorization']).toBeUndefined();
    }
    expect(
      (await fetch(`${base}/sandbox/token?as=mallory@example.com`)).status,
    ).toBe(404);
  });

  it('refuses a bearer token it did not issue with 401, forwarding nothing', async () => {
    const token = await (
      await fetch(`${base}/sandbox/token?as=bob@example.com`)
    ).text();
    const [payload] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        email: 'alice@example.com',
        aud: 'sandbox-iap',
        exp: 9e9,
      }),
    ).toString('base64url');
    for (const bad of [
      `${forged}.${token.split('.')[1]}`,
      `${payload}.AAAA`,
      'nonsense',
    ]) {
      seen = [];
      const res = await fetch(`${base}/api/requests`, {
        headers: {authorization: `Bearer ${bad}`},
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error.message).toMatch(
        /not one this IAP stand-in issued/,
      );
      expect(seen).toEqual([]);
    }
  });

  it('refuses a forged session cookie', async () => {
    const encoded = Buffer.from('bob@example.com').toString('base64url');
    const res = await fetch(`${base}/`, {
      headers: {cookie: `jit_sandbox_user=${encoded}.AAAA`},
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(seen).toHaveLength(0);
  });

  it('lists activation bindings on /sandbox/iam and removes one only from its own form', async () => {
    const cookie = await signIn('alice@example.com');
    const html = await (
      await fetch(`${base}/sandbox/iam`, {headers: {cookie}})
    ).text();
    expect(html).toContain('roles/viewer');
    expect(html).not.toContain('roles/owner');
    const action = /action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    // A forged form (no token of this run) is refused and removes nothing.
    const forged = action.replace(/token=[^&]+/, 'token=forged');
    const refused = await fetch(`${base}${forged}`, {
      method: 'POST',
      headers: {cookie},
      redirect: 'manual',
    });
    expect(refused.status).toBe(403);
    expect(policies['projects/p1']!.bindings).toHaveLength(2);
    const done = await fetch(`${base}${action}`, {
      method: 'POST',
      headers: {cookie},
      redirect: 'manual',
    });
    expect(done.status).toBe(303);
    expect(policies['projects/p1']!.bindings).toEqual([
      {role: 'roles/owner', members: ['user:root@example.com']},
    ]);
  });

  it('serves the public keys the functions verify with', async () => {
    const res = await fetch(`${base}${KEYS_PATH}`);
    expect(await res.json()).toEqual(signer.publicKeys());
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('shows mail with every field escaped and the mail links clickable', async () => {
    const text =
      'Please review: http://localhost:8080/requests/abc\n<img src=x onerror=alert(1)>';
    mails.push({
      id: 1,
      receivedAt: new Date().toISOString(),
      to: ['bob@example.com'],
      from: 'JIT Access <jit@example.com>',
      subject: 'Approve <b>this</b>',
      text,
      links: extractLinks(text, '<a href="javascript:alert(1)">x</a>'),
    });
    const html = await (await fetch(`${base}/sandbox/mail`)).text();
    expect(html).toContain('Approve &lt;b&gt;this&lt;/b&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<img|<b>|javascript:/);
    expect(html).toContain(
      '<a class="mail-link" href="http://localhost:8080/requests/abc">',
    );
    const json = (await (await fetch(`${base}/sandbox/mail.json`)).json()) as {
      mails: SandboxMail[];
    };
    expect(json.mails[0]!.subject).toBe('Approve <b>this</b>');
  });
});

describe('/sandbox/events', () => {
  it('lists the published events, newest first, escaped, and as JSON', async () => {
    const event = {
      type: 'RequestActivation',
      attributes: {justification: '<script>x</script>'},
    };
    published.push(
      {
        messageId: '1',
        data: Buffer.from(JSON.stringify(event)).toString('base64'),
        publishTime: '2040-01-01T10:00:00Z',
      },
      {
        messageId: '2',
        data: Buffer.from('not json').toString('base64'),
        publishTime: '2040-01-01T10:00:01Z',
      },
    );
    const html = await (await fetch(`${base}/sandbox/events`)).text();
    expect(html).toContain(TOPIC);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html.indexOf('event-2')).toBeLessThan(html.indexOf('event-1'));
    const json = (await (
      await fetch(`${base}/sandbox/events.json`)
    ).json()) as {
      topic: string;
      events: Array<{messageId: string; event: unknown}>;
    };
    expect(json.topic).toBe(TOPIC);
    expect(json.events.map(e => [e.messageId, e.event])).toEqual([
      ['2', 'not json'],
      ['1', event],
    ]);
  });
});

/**
 * Audience rule 4 end to end, as on Cloud Run with IAP enabled on the
 * service: the compiled `roles` target in a child process with K_SERVICE set
 * and nothing else about IAP; its key URL left at Google's default, reached
 * through HTTPS_PROXY (a loopback CONNECT proxy) and a TLS stand-in for
 * www.gstatic.com trusted through NODE_EXTRA_CA_CERTS; the project number and
 * region from the fake metadata server through GCE_METADATA_HOST.
 *
 * Needs the compiled code (`npm test` builds first; else `npm run build`).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  REPO_ROOT,
  startTarget,
  type RunningTarget,
} from '../../bench/lib/child';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import {makeIapSigner} from '../../sandbox/iap-signer';
import {startGstaticStandIn, type GstaticStandIn} from './gstatic-stand-in';

const NUMBER = '987654321098';
const REGION = 'europe-west4';
const SERVICE = 'jit-access';
const AUDIENCE = `/projects/${NUMBER}/locations/${REGION}/services/${SERVICE}`;
const signer = makeIapSigner();

let gstatic: GstaticStandIn;
let fake: FakeGoogleCloud;
let target: RunningTarget;

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    K_SERVICE: SERVICE,
    GOOGLE_CLOUD_PROJECT: 'jit-host',
    GCE_METADATA_HOST: fakeEndpoints(fake)['GCE_METADATA_HOST']!,
    METADATA_SERVER_DETECTION: 'none',
    HTTPS_PROXY: gstatic.proxyUrl,
    // The metadata server is reached directly, as on Cloud Run.
    NO_PROXY: '127.0.0.1,localhost',
    NODE_EXTRA_CA_CERTS: gstatic.caFile,
    ...extra,
  };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'build/functions/index.js'))) {
    throw new Error('build/ is missing: run `npm run build` first');
  }
  gstatic = await startGstaticStandIn((req, res) => {
    if (req.url !== '/iap/verify/public_key') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': 'public, max-age=22133',
    });
    res.end(JSON.stringify(signer.publicKeys()));
  });
  fake = await startFakeGoogleCloud({
    metadata: {projectId: 'jit-host', projectNumber: NUMBER, region: REGION},
  });
  target = await startTarget({
    source: 'build/functions/index.js',
    target: 'roles',
    env: childEnv(),
  });
}, 30_000);

afterAll(async () => {
  await target?.stop();
  await Promise.all([gstatic?.close(), fake?.stop()]);
});

const assertion = (aud: string) =>
  signer.sign({email: 'Dana@Example.com', aud});
const policy = (token: string) =>
  fetch(`${target.url}/api/policy`, {
    headers: {'x-goog-iap-jwt-assertion': token},
  });

describe('on Cloud Run with IAP on the service (rule 4)', () => {
  it('accepts an assertion for /projects/<number>/locations/<region>/services/<K_SERVICE>', async () => {
    const res = await policy(assertion(AUDIENCE));
    const body = (await res.json()) as {signedInUser?: unknown};
    expect({status: res.status, user: body.signedInUser}).toEqual({
      status: 200,
      user: {email: 'dana@example.com'},
    });
  });

  it('refuses an assertion for another service or region', async () => {
    for (const aud of [
      `/projects/${NUMBER}/locations/${REGION}/services/other`,
      `/projects/${NUMBER}/locations/us-central1/services/${SERVICE}`,
    ]) {
      expect((await policy(assertion(aud))).status).toBe(401);
    }
  });

  it("fetched Google's key URL once, through the proxy, and asked the metadata server", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await policy(assertion(AUDIENCE))).status).toBe(200);
    }
    expect(gstatic.tunnels).toEqual(['www.gstatic.com:443']);
    expect(gstatic.requests).toEqual(['/iap/verify/public_key']);
    const asked = fake.calls().map(c => c.path);
    expect(asked).toEqual(
      expect.arrayContaining([
        '/computeMetadata/v1/project/numeric-project-id',
        '/computeMetadata/v1/instance/region',
      ]),
    );
  });

  it('answers /health without an identity', async () => {
    const res = await fetch(`${target.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({healthy: true});
  });

  it("refuses to start with a key URL other than Google's", async () => {
    const error = await startTarget({
      source: 'build/functions/index.js',
      target: 'roles',
      env: childEnv({IAP_PUBLIC_KEYS_URL: 'https://keys.example.com/iap'}),
    }).then(
      async started => {
        await started.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(
      /exited with [1-9].*[\s\S]*IAP_PUBLIC_KEYS_URL=.*while K_SERVICE is set/,
    );
  });
});

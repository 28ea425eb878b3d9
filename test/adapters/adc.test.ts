/**
 * Production's credentials on a user's first page: the compiled `roles`
 * target in a child process, the Google APIs reached over https (a TLS front
 * to the fake, trusted through NODE_EXTRA_CA_CERTS), so the adapters use
 * Application Default Credentials, which detect the metadata server (the
 * fake's, at GCE_METADATA_HOST) and fetch one token from it. The pending
 * markers come from Firestore's REST API (the emulator).
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
import {startTlsFront, type TlsFront} from '../../sandbox/tls-front';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {newRequest, testConfig, testFirestore} from '../support/requests';

const AUDIENCE = '/projects/123/global/backendServices/456';
const PROJECT = 'adc-project';
const USER = 'alice@example.com';
const signer = makeIapSigner();
const config = testConfig();
const firestore = testFirestore(config);

let fake: FakeGoogleCloud;
let tls: TlsFront;
let target: RunningTarget;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'build/functions/index.js'))) {
    throw new Error('build/ is missing: run `npm run build` first');
  }
  fake = await startFakeGoogleCloud({
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: [{email: USER}, {email: 'bob@example.com'}],
    groups: [{email: 'ops@example.com', members: [USER, 'bob@example.com']}],
    identityPremium: true,
    projects: [
      {projectId: PROJECT, projectNumber: '7001', parent: 'organizations/1'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        bindings: [
          {
            role: 'roles/compute.admin',
            members: ['group:ops@example.com'],
            condition: {
              title: 'JIT',
              expression: 'has({}.jitAccessConstraint)',
            },
          },
          {
            role: 'roles/owner',
            members: ['group:ops@example.com'],
            condition: {
              title: 'MPA',
              expression: 'has({}.multiPartyApprovalConstraint)',
            },
          },
        ],
      },
    },
  });
  tls = await startTlsFront(fake.url);
  const {keysUrl, close} = await serveKeys();
  closeKeys = close;
  const endpoints = Object.fromEntries(
    Object.entries(fakeEndpoints(fake)).map(([k, url]) => [
      k,
      k.endsWith('_ENDPOINT') ? tls.url : url,
    ]),
  );
  target = await startTarget({
    source: 'build/functions/index.js',
    target: 'roles',
    env: {
      ...endpoints,
      NODE_EXTRA_CA_CERTS: tls.caFile,
      GOOGLE_CLOUD_PROJECT: config.projectId!,
      FIRESTORE_EMULATOR_HOST: config.firestore.emulatorHost!,
      FIRESTORE_COLLECTION_PREFIX: config.firestore.collectionPrefix,
      RESOURCE_SCOPE: 'organizations/1',
      IAP_AUDIENCE: AUDIENCE,
      IAP_PUBLIC_KEYS_URL: keysUrl,
    },
  });
});

let closeKeys: () => Promise<void>;

/** IAP's keys on loopback, as the sandbox serves them. */
async function serveKeys() {
  const http = await import('http');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {'Content-Type': 'application/json'});
    res.end(JSON.stringify(signer.publicKeys()));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as {port: number}).port;
  return {
    keysUrl: `http://127.0.0.1:${port}/keys`,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

afterAll(async () => {
  await target?.stop();
  await Promise.all([tls?.close(), fake?.stop(), closeKeys?.()]);
  await firestore.terminate();
});

it('lists roles with the metadata server token on every Google call, and the pending markers over REST', async () => {
  const store = makeFirestoreRequestStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
  });
  const pending = newRequest({
    requester: USER,
    project: PROJECT,
    role: 'roles/owner',
  });
  await store.create(pending);

  const res = await fetch(`${target.url}/api/projects/${PROJECT}/roles`, {
    headers: {
      'x-goog-iap-jwt-assertion': signer.sign({email: USER, aud: AUDIENCE}),
    },
  });
  const body = (await res.json()) as {
    roles: Array<{role: string; status: string; requestId?: string}>;
    warnings: string[];
  };
  expect(res.status).toBe(200);
  expect(body.warnings).toEqual([]);
  expect(body.roles).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        role: 'roles/compute.admin',
        status: 'ELIGIBLE',
      }),
      expect.objectContaining({
        role: 'roles/owner',
        status: 'PENDING_APPROVAL',
        requestId: pending.id,
      }),
    ]),
  );

  const calls = fake.calls();
  const google = calls.filter(c => !c.path.startsWith('/computeMetadata/'));
  expect(google.map(c => c.name).sort()).toEqual([
    'cloudasset.effectiveIamPolicies.batchGet',
    'cloudidentity.groups.memberships.searchTransitiveGroups',
  ]);
  for (const c of google) {
    expect(c.headers.authorization).toBe('Bearer fake-access-token');
  }
  // One token for both calls, from the metadata server.
  expect(
    calls.filter(c => c.path.endsWith('/service-accounts/default/token')),
  ).toHaveLength(1);
});

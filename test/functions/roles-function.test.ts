/**
 * The `roles` function as deployed: the composition root (functions/deps.ts)
 * builds the catalog and the real adapters from the configuration, aimed at
 * the fake Google Cloud; requests carry real IAP assertions.
 */
import {newRequest} from '../support/requests';
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {loadConfig} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';
import {fakeEndpoints} from '../../sandbox/fake-gcp';
import {makeServices} from '../../functions/deps';
import {buildTarget} from '../../functions/targets';
import {makeRequestStore} from '../../shared/google/request-store';
import {makeTestIap, type TestIap} from '../support/iap';
import {
  activationBinding,
  baseWorld,
  JIT,
  MPA,
  startEligibilityWorld,
  type EligibilityWorld,
} from '../eligibility/world';

let iap: TestIap;
let w: EligibilityWorld;
const memory = makeMemoryLogger();
const allDeps: Record<string, ReturnType<typeof makeServices>> = {};
const IN_AN_HOUR = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000);

beforeAll(async () => {
  iap = await makeTestIap();
  w = await startEligibilityWorld(baseWorld());
  for (const catalog of ['AssetInventory', 'PolicyAnalyzer']) {
    const config = loadConfig({
      ...iap.env,
      ...fakeEndpoints(w.fake),
      RESOURCE_SCOPE: 'organizations/1',
      RESOURCE_CATALOG: catalog,
      RATE_LIMIT_PER_MINUTE: '0',
      // PENDING_APPROVAL comes from the request store: the run's emulator.
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      FIRESTORE_COLLECTION_PREFIX: `rolesfn${catalog}`,
    });
    const deps = {
      ...makeServices(config, memory.logger),
      verifier: async () => iap.verifier,
    };
    allDeps[catalog] = deps;
    // The client library's first load and the emulator's first query take
    // about a second in a fresh run, near the listing's bound for pending
    // requests (PENDING_LOOKUP_TIMEOUT_MS); taken here, out of the tests.
    await makeRequestStore(config).list({
      as: 'requester',
      email: 'alice@example.com',
      limit: 1,
    });
    functions.http(`roles${catalog}`, await buildTarget('roles', deps));
  }
});
afterAll(async () => {
  await iap.close();
  await w.stop();
});
beforeEach(() => {
  w.setPolicies({
    'projects/alpha-app': [
      {role: 'roles/m', members: ['group:team@example.com'], condition: MPA},
      activationBinding(
        'roles/j',
        'alice@example.com',
        new Date(Date.now() - 60_000),
        IN_AN_HOUR,
      ),
    ],
    'folders/100': [
      {role: 'roles/j', members: ['user:alice@example.com'], condition: JIT},
    ],
  });
});

const CATALOGS = ['AssetInventory', 'PolicyAnalyzer'] as const;

function get(catalog: string, path: string, email = 'alice@example.com') {
  return request(getTestServer(`roles${catalog}`))
    .get(path)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(email));
}

describe.each(CATALOGS)('the roles function with %s', catalog => {
  it('lists the caller’s projects', async () => {
    const res = await get(catalog, '/api/projects');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({projects: ['alpha-app', 'delta-app']});
  });

  it('lists the caller’s roles with ACTIVE status', async () => {
    const res = await get(catalog, '/api/projects/alpha-app/roles');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      roles: [
        {
          role: 'roles/j',
          activationType: 'JIT',
          status: 'ACTIVE',
          validUntil: IN_AN_HOUR.toISOString().replace('.000Z', 'Z'),
        },
        {role: 'roles/m', activationType: 'MPA', status: 'ELIGIBLE'},
      ],
      warnings: [],
    });
  });

  it('marks a role with a pending request of the caller PENDING_APPROVAL', async () => {
    const now = Date.now();
    const id = `pending-${catalog}-${now}`;
    // Stored as a request would be, in the store the function reads.
    await makeRequestStore(allDeps[catalog]!.config).create(
      newRequest({id, project: 'alpha-app', role: 'roles/m'}),
    );
    const res = await get(catalog, '/api/projects/alpha-app/roles');
    expect(res.body.roles).toContainEqual({
      role: 'roles/m',
      activationType: 'MPA',
      status: 'PENDING_APPROVAL',
      requestId: id,
    });
    // Not bob's request: his roles/m stays ELIGIBLE.
    const bob = await get(
      catalog,
      '/api/projects/alpha-app/roles',
      'bob@example.com',
    );
    expect(bob.body.roles).toEqual([
      {role: 'roles/m', activationType: 'MPA', status: 'ELIGIBLE'},
    ]);
  });

  it('lists peers, groups expanded', async () => {
    const res = await get(
      catalog,
      '/api/projects/alpha-app/peers?role=roles/m',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({peers: ['bob@example.com', 'carol@example.com']});
  });

  it('answers 404 for an unknown project', async () => {
    const res = await get(catalog, '/api/projects/nope-project/roles');
    expect(res.status).toBe(404);
    expect(res.body.error.status).toBe('NOT_FOUND');
  });

  it('answers 403 for peers of a role the caller may self-approve', async () => {
    const res = await get(
      catalog,
      '/api/projects/alpha-app/peers?role=roles/j',
    );
    expect(res.status).toBe(403);
  });
});

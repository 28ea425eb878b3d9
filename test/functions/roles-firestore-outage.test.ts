/**
 * The `roles` function as deployed, while Firestore does not answer: the
 * composition root's store is aimed at a TCP server that accepts
 * connections and never replies (a refused port would fail fast, which is
 * not the outage that stalls). The roles are still listed, soon, with the
 * warning that pending requests could not be read.
 */
import {newRequest} from '../support/requests';
import {connect, createServer, type Server, type Socket} from 'node:net';
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {loadConfig} from '../../shared/config';
import {makeLogger} from '../../shared/log';
import {fakeEndpoints} from '../../sandbox/fake-gcp';
import {makeServices} from '../../functions/deps';
import {buildTarget} from '../../functions/targets';
import {makeRequestStore} from '../../shared/google/request-store';
import {makeTestIap, type TestIap} from '../support/iap';
import {
  baseWorld,
  MPA,
  startEligibilityWorld,
  type EligibilityWorld,
} from '../eligibility/world';

let iap: TestIap;
let w: EligibilityWorld;
let firestore: Server;
const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST!;
/** Until Firestore "comes back", connections are accepted and never read. */
const stalled = new Set<Socket>();
let answering = false;
const open = new Set<Socket>();
const REQUEST_ID = `outage-${Date.now()}`;

/** Passes a connection on to the run's emulator, bytes already sent included. */
function forward(socket: Socket): void {
  const [host, port] = emulatorHost.split(':');
  const upstream = connect(Number(port), host);
  socket.pipe(upstream).pipe(socket);
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
}

beforeAll(async () => {
  iap = await makeTestIap();
  w = await startEligibilityWorld(baseWorld());
  w.setPolicies({
    'projects/alpha-app': [
      {role: 'roles/m', members: ['user:alice@example.com'], condition: MPA},
    ],
  });
  const configFor = (firestoreHost: string) =>
    loadConfig({
      ...iap.env,
      ...fakeEndpoints(w.fake),
      RESOURCE_SCOPE: 'organizations/1',
      RESOURCE_CATALOG: 'AssetInventory',
      RATE_LIMIT_PER_MINUTE: '0',
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      FIRESTORE_COLLECTION_PREFIX: 'rolesOutage',
    });
  // Alice waits for approval of roles/m. Stored first, which also takes the
  // emulator's first query and the client library's first load (about a
  // second in a fresh run) out of what the tests measure.
  await makeRequestStore(configFor(emulatorHost)).create(
    newRequest({id: REQUEST_ID, project: 'alpha-app', role: 'roles/m'}),
  );

  firestore = createServer(socket => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    if (answering) return forward(socket);
    stalled.add(socket);
    socket.on('close', () => stalled.delete(socket));
  });
  await new Promise<void>(resolve => firestore.listen(0, '127.0.0.1', resolve));
  const {port} = firestore.address() as {port: number};
  // The Firestore client prefers this variable to its settings; the
  // function's store reads it when it makes its client, on the first lookup.
  process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
  functions.http(
    'rolesFirestoreOutage',
    await buildTarget('roles', {
      ...makeServices(
        configFor(process.env.FIRESTORE_EMULATOR_HOST),
        makeLogger(() => {}),
      ),
      verifier: async () => iap.verifier,
    }),
  );
});
afterAll(async () => {
  process.env.FIRESTORE_EMULATOR_HOST = emulatorHost;
  for (const socket of open) socket.destroy();
  await new Promise(resolve => firestore.close(resolve));
  await iap.close();
  await w.stop();
});

const listRoles = () =>
  request(getTestServer('rolesFirestoreOutage'))
    .get('/api/projects/alpha-app/roles')
    .set('x-goog-iap-jwt-assertion', iap.assertionFor('alice@example.com'));

it('lists the roles within seconds, with a warning, while Firestore does not answer', async () => {
  const started = Date.now();
  const res = await listRoles();
  const took = Date.now() - started;

  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    // Pending, but that could not be read.
    roles: [{role: 'roles/m', activationType: 'MPA', status: 'ELIGIBLE'}],
    warnings: [
      expect.stringContaining('Pending approval requests could not be read'),
    ],
  });
  // Firestore's own deadline is 15 s; the listing stops waiting long before.
  expect(took).toBeLessThan(5_000);
  // The client did connect: this is the stall, not a refusal.
  expect(stalled.size).toBeGreaterThan(0);
});

it('reads pending requests again once Firestore answers', async () => {
  answering = true;
  // The stalled connections go through too, so no abandoned call outlives the test.
  for (const socket of stalled) forward(socket);
  stalled.clear();
  const res = await listRoles();
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    roles: [
      {
        role: 'roles/m',
        activationType: 'MPA',
        status: 'PENDING_APPROVAL',
        requestId: REQUEST_ID,
      },
    ],
    warnings: [],
  });
});

/**
 * `GET /health/alive` and `GET /health/ready` through the real composition
 * root and the `app` target, without an IAP assertion: ready against the
 * Firestore emulator with a pinned audience, and 503 naming what failed (an
 * audience that cannot be resolved; a check that does not answer), never a
 * reason or a secret.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import * as net from 'node:net';
import request from '../support/api-request';
import {makeServices} from '../../functions/deps';
import {buildTarget} from '../../functions/targets';
import {loadConfig} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';
import {uniquePrefix} from '../support/requests';
import {servicesOver} from '../support/services';

const PASSWORD = 'pa55-not-in-any-answer';

/** A TCP port that accepts connections and never answers. */
let silent: net.Server;
let silentHost: string;
const sockets: net.Socket[] = [];

function env(extra: Record<string, string | undefined>) {
  return {
    GOOGLE_CLOUD_PROJECT: 'jit-test-project',
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    FIRESTORE_COLLECTION_PREFIX: uniquePrefix(),
    IAP_AUDIENCE: '/projects/123/global/backendServices/456',
    SMTP_SENDER_ADDRESS: 'jit@example.com',
    SMTP_USERNAME: 'mailer',
    SMTP_PASSWORD: PASSWORD,
    GCE_METADATA_HOST: silentHost,
    ...extra,
  };
}

async function serve(name: string, extra: Record<string, string | undefined>) {
  const memory = makeMemoryLogger();
  const services = makeServices(loadConfig(env(extra)), memory.logger);
  functions.http(name, await buildTarget('app', services));
  return {server: getTestServer(name), memory};
}

beforeAll(async () => {
  silent = net.createServer(s => sockets.push(s));
  await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
  silentHost = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>(r => silent.close(() => r()));
});

describe('health checks', () => {
  it('/health/alive answers 200 without an identity; /health is unchanged', async () => {
    const {server} = await serve('healthAlive', {});
    const alive = await request(server).get('/health/alive').expect(200);
    expect(alive.body).toEqual({healthy: true, details: {}});
    const health = await request(server).get('/health').expect(200);
    expect(health.body).toEqual({healthy: true});
  });

  it('/health/ready answers 200 when the audience resolves and Firestore answers, and says Pub/Sub is configured', async () => {
    const {server} = await serve('healthReady', {
      NOTIFICATION_TOPIC: 'jit-events',
    });
    // The first read of an instance also loads Firestore's gRPC client, which
    // may take longer than the check allows on a busy machine.
    let ready = await request(server).get('/health/ready');
    if (ready.status === 503)
      ready = await request(server).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      healthy: true,
      details: {
        configuration: true,
        iapAudience: true,
        firestore: true,
        mailConfigured: true,
        pubsubConfigured: true,
      },
    });
  });

  it('/health/ready answers 503 naming the check that failed, and logs why', async () => {
    const memory = makeMemoryLogger();
    const services = servicesOver({
      config: loadConfig(env({})),
      log: memory.logger,
      readinessChecks: {
        firestore: () => new Promise<void>(() => {}),
        iapAudience: async () => {},
      },
    });
    functions.http('healthNoFirestore', await buildTarget('app', services));
    const res = await request(getTestServer('healthNoFirestore'))
      .get('/health/ready')
      .expect(503);
    expect(res.body).toEqual({
      healthy: false,
      details: {
        configuration: true,
        firestore: false,
        iapAudience: true,
        mailConfigured: true,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    const warning = memory
      .entries()
      .find(e => String(e['message']).startsWith('Not ready'));
    expect(warning?.['message']).toBe(
      'Not ready: firestore failed: no answer within 200 ms',
    );
  });

  it('/health/ready answers 503 naming the IAP audience when no rule resolves it, and says mail and Pub/Sub are not configured', async () => {
    const {server} = await serve('healthNoAudience', {
      IAP_AUDIENCE: undefined,
      SMTP_SENDER_ADDRESS: undefined,
    });
    const res = await request(server).get('/health/ready').expect(503);
    expect(res.body).toEqual({
      healthy: false,
      details: {
        configuration: true,
        iapAudience: false,
        firestore: true,
        mailConfigured: false,
        pubsubConfigured: false,
      },
    });
  });
});

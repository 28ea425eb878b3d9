/**
 * Two instances of the `activate` function activate on one project at the
 * same time, and nothing is lost: each instance merges its own callers, and
 * the etag conflicts between them are re-read and re-applied.
 *
 * The second instance is a child process running the compiled code under
 * build/ (`npm run build`; `npm test` builds first; started with
 * bench/lib/child.ts) with the real
 * composition root (functions/deps.ts); the first runs in this process, also
 * with the real composition root. Both use the real catalog, the real IAP
 * verifier and the real adapters against one fake Google Cloud.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import * as fs from 'fs';
import * as path from 'path';
import request from 'supertest';
import {startTarget, type RunningTarget} from '../../bench/lib/child';
import {makeServices} from '../../functions/deps';
import {buildTarget} from '../../functions/targets';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import {loadConfig} from '../../shared/config';
import {uniquePrefix} from '../support/requests';
import {makeLogger} from '../../shared/log';
import {makeTestIap, type TestIap} from '../support/iap';
import {itIf} from '../support/skip';
import {activationWorld, PROJECT} from './fixtures';

const ROOT = path.join(__dirname, '../..');
const BUILT = path.join(ROOT, 'build/functions/index.js');
const SET = 'cloudresourcemanager.projects.setIamPolicy';
const USERS = Array.from({length: 16}, (_, i) => `user${i}@example.com`);
const ELIGIBLE = [...USERS, 'warm@example.com'];

let fake: FakeGoogleCloud;
let iap: TestIap;
let child: RunningTarget | undefined;

function world() {
  const w = activationWorld();
  w.users = ELIGIBLE.map(email => ({email}));
  w.identityPremium = true;
  w.policies![`projects/${PROJECT}`]!.bindings!.push({
    role: 'roles/browser',
    members: ELIGIBLE.map(u => `user:${u}`),
    condition: {title: 'eligible', expression: 'has({}.jitAccessConstraint)'},
  });
  return w;
}

const built =
  fs.existsSync(BUILT) &&
  fs.existsSync(path.join(ROOT, 'build/bench/lib/serve.js'));

beforeAll(async () => {
  if (!built) return;
  fake = await startFakeGoogleCloud(world());
  const env = {
    ...fakeEndpoints(fake),
    RESOURCE_SCOPE: 'organizations/1001',
    METADATA_SERVER_DETECTION: 'none',
    RATE_LIMIT_PER_MINUTE: '0',
    // The grant records of both instances, in the run's emulator.
    GOOGLE_CLOUD_PROJECT: 'jit-test-project',
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST!,
    FIRESTORE_COLLECTION_PREFIX: uniquePrefix(),
  };
  iap = await makeTestIap({env});
  const config = loadConfig(iap.env);
  functions.http(
    'activateTwoInstances',
    await buildTarget(
      'activate',
      makeServices(
        config,
        makeLogger(() => {}),
      ),
    ),
  );
  child = await startTarget({
    source: 'build/functions/index.js',
    target: 'activate',
    env: iap.env,
  });
}, 30_000);

afterAll(async () => {
  await child?.stop();
  await fake?.stop();
  await iap?.close();
});

function activate(
  target: string | ReturnType<typeof getTestServer>,
  user: string,
) {
  return request(target)
    .post(`/api/projects/${PROJECT}/roles/self-activate`)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(user))
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(
      JSON.stringify({
        roles: ['roles/browser'],
        justification: 'two',
        durationMinutes: 10,
      }),
    );
}

describe('two instances activating on one project', () => {
  itIf(built, 'build/ is missing: run npm run build')(
    'lose nothing: every activation is in the policy at the end',
    async () => {
      const inProcess = getTestServer('activateTwoInstances');
      // Warm both instances (libraries loaded, IAP keys fetched), so that
      // their writes overlap below.
      for (const target of [inProcess, child!.url]) {
        expect((await activate(target, 'warm@example.com')).status).toBe(200);
      }
      fake.resetLog();
      // Every answer of the fake takes a while: each instance's read and
      // write straddle the other's, so the etags collide.
      fake.latencyMs = 40;
      const answers = await Promise.all(
        USERS.map((u, i) => activate(i % 2 ? child!.url : inProcess, u)),
      );
      expect(answers.map(a => [a.status, a.body.error?.message])).toEqual(
        USERS.map(() => [200, undefined]),
      );
      const bindings =
        fake.world.policies?.[`projects/${PROJECT}`]?.bindings ?? [];
      for (const u of USERS) {
        expect(
          bindings.filter(
            b =>
              b.condition?.title === 'JIT access activation' &&
              b.members.includes(`user:${u}`),
          ),
        ).toHaveLength(1);
      }
      const writes = fake.calls(SET).map(c => c.status);
      // The instances did collide, and each conflict was re-read and re-applied.
      expect(writes).toContain(409);
      // Each instance merged its own callers: far fewer writes than callers.
      expect(writes.filter(s => s === 200).length).toBeLessThan(USERS.length);
    },
    60_000,
  );

  itIf(built, 'build/ is missing: run npm run build')(
    'refuses, with the real catalog, a user who is not eligible: 403 and nothing written',
    async () => {
      fake.latencyMs = 0;
      fake.resetLog();
      for (const target of [
        getTestServer('activateTwoInstances'),
        child!.url,
      ]) {
        const res = await activate(target, 'stranger@example.com');
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `You are not eligible for roles/browser on project ${PROJECT}`,
        );
      }
      expect(fake.calls(SET)).toHaveLength(0);
    },
  );
});

/**
 * Two processes, each with its own Firestore client, approving the same
 * request at the same instant: one activation (one IAM write). Needs Google's
 * emulator: the npm fallback does not isolate transactions.
 */
import {ChildProcess, spawn} from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import type {Config} from '../../shared/config';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {describeIf} from '../support/skip';
import {approvalWorld, ALICE, BOB, CAROL, PROJECT, ROLE} from './harness';
import {
  GOOGLE_EMULATOR,
  NO_ISOLATION_REASON,
  newRequest,
  testConfig,
  uniquePrefix,
} from '../support/requests';

const SET = 'cloudresourcemanager.projects.setIamPolicy';
const ROOT = path.join(__dirname, '..', '..');

interface Child {
  process: ChildProcess;
  lines: AsyncIterator<string>;
}

function startChild(env: Record<string, string>): Child {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, 'child', 'ts-register.js'),
      path.join(__dirname, 'child', 'approve-once.ts'),
    ],
    {
      cwd: ROOT,
      env: {...process.env, ...env},
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return {
    process: child,
    lines: readline
      .createInterface({input: child.stdout!})
      [Symbol.asyncIterator](),
  };
}

async function nextLine(child: Child): Promise<string> {
  const {value, done} = await child.lines.next();
  if (done) throw new Error('the child exited early');
  return value as string;
}

describeIf(GOOGLE_EMULATOR, NO_ISOLATION_REASON)(
  'approving from two processes at once',
  () => {
    let fake: FakeGoogleCloud;
    let config: Config;
    let env: Record<string, string>;
    const firestores: Array<ReturnType<typeof makeFirestore>> = [];

    beforeAll(async () => {
      fake = await startFakeGoogleCloud(approvalWorld());
      const prefix = uniquePrefix();
      env = {
        ...fakeEndpoints(fake),
        GOOGLE_CLOUD_PROJECT: 'jit-test-project',
        FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST!,
        FIRESTORE_COLLECTION_PREFIX: prefix,
        METADATA_SERVER_DETECTION: 'none',
        PROJECT,
        ROLE,
      };
      config = testConfig(env);
    });
    afterAll(async () => {
      await fake.stop();
      await Promise.all(firestores.map(f => f.terminate()));
    });

    async function race(reviewers: [string, string]) {
      const firestore = makeFirestore(config);
      firestores.push(firestore);
      const store = makeFirestoreRequestStore({
        firestore,
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
      });
      const request = newRequest({
        project: PROJECT,
        role: ROLE,
        requester: ALICE,
        reviewers: [BOB, CAROL],
      });
      await store.create(request);
      const children = reviewers.map(reviewer =>
        startChild({...env, REQUEST_ID: request.id, REVIEWER: reviewer}),
      );
      try {
        for (const c of children) expect(await nextLine(c)).toBe('ready');
        const writesBefore = fake.calls(SET).length;
        for (const c of children) c.process.stdin!.write('go\n');
        const outcomes = await Promise.all(
          children.map(async c => JSON.parse(await nextLine(c))),
        );
        return {
          outcomes,
          writes: fake.calls(SET).length - writesBefore,
          stored: await store.get(request.id),
        };
      } finally {
        for (const c of children) c.process.kill();
      }
    }

    it('two reviewers at the same instant activate the role once (one IAM write)', async () => {
      const {outcomes, writes, stored} = await race([BOB, CAROL]);
      expect(outcomes.map(o => o.status).sort()).toEqual([200, 409]);
      expect(outcomes.find(o => o.status === 409)?.errorStatus).toBe('ABORTED');
      expect(writes).toBe(1);
      expect(stored?.state).toBe('ACTIVE');
      expect(stored?.approvals).toHaveLength(1);
    }, 60_000);

    it('the same reviewer twice at the same instant gets one 200 and one 409', async () => {
      const {outcomes, writes, stored} = await race([BOB, BOB]);
      expect(outcomes.map(o => o.status).sort()).toEqual([200, 409]);
      expect(writes).toBe(1);
      expect(stored?.approvals).toHaveLength(1);
    }, 60_000);
  },
);

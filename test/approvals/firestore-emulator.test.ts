/**
 * sandbox/firestore-emulator.ts: finding Google's JAR, and the npm fallback
 * serving the store on loopback (the run itself uses Google's emulator
 * wherever Java and the JAR exist).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  findEmulatorJar,
  startFirestoreEmulator,
} from '../../sandbox/firestore-emulator';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreRestReader} from '../../shared/google/firestore-rest';
import {makeMemoryLogger} from '../../shared/log';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {newRequest, testConfig} from '../support/requests';

describe('Firestore emulator launcher', () => {
  it('finds the JAR named by FIRESTORE_EMULATOR_JAR, and nothing when it does not exist', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jar-'));
    const jar = path.join(dir, 'emulator.jar');
    fs.writeFileSync(jar, '');
    expect(findEmulatorJar({FIRESTORE_EMULATOR_JAR: jar})).toBe(jar);
    expect(
      findEmulatorJar({FIRESTORE_EMULATOR_JAR: path.join(dir, 'missing.jar')}),
    ).toBeUndefined();
  });

  it("finds the Cloud SDK's JAR beside gcloud on the PATH", () => {
    const sdk = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-'));
    fs.mkdirSync(path.join(sdk, 'bin'));
    fs.writeFileSync(path.join(sdk, 'bin', 'gcloud'), '#!/bin/sh\n', {
      mode: 0o755,
    });
    const jarDir = path.join(sdk, 'platform', 'cloud-firestore-emulator');
    fs.mkdirSync(jarDir, {recursive: true});
    fs.writeFileSync(path.join(jarDir, 'cloud-firestore-emulator.jar'), '');
    expect(findEmulatorJar({PATH: path.join(sdk, 'bin')})).toBe(
      path.join(jarDir, 'cloud-firestore-emulator.jar'),
    );
    expect(findEmulatorJar({PATH: os.tmpdir()})).toBeUndefined();
  });

  it('fails to start, rather than falling back, when Java exists but the JAR is broken', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jar-'));
    const jar = path.join(dir, 'broken.jar');
    fs.writeFileSync(jar, 'not a jar');
    await expect(
      startFirestoreEmulator({
        env: {...process.env, FIRESTORE_EMULATOR_JAR: jar},
        startTimeoutMs: 20_000,
      }),
    ).rejects.toThrow(/did not start/);
  });

  it('falls back to the npm package on loopback without Java, and the store works on it', async () => {
    const emulator = await startFirestoreEmulator({
      env: {PATH: '', JAVA: '/nonexistent/java'},
    });
    expect(emulator.kind).toBe('fallback');
    expect(emulator.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const saved = process.env.FIRESTORE_EMULATOR_HOST;
    // The client reads FIRESTORE_EMULATOR_HOST at construction.
    process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
    const config = testConfig({FIRESTORE_EMULATOR_HOST: emulator.host});
    const firestore = makeFirestore(config);
    process.env.FIRESTORE_EMULATOR_HOST = saved;
    try {
      const store = makeFirestoreRequestStore({
        firestore,
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
      });
      const r = newRequest();
      await store.create(r);
      expect(await store.get(r.id)).toEqual(r);
      // The roles listing's REST reads reach the same data (through the
      // fallback's REST front), as they would on Google's emulator.
      const reader = makeFirestoreRestReader(config, makeMemoryLogger().logger);
      const q = {as: 'requester', email: r.requester, limit: 10} as const;
      expect(await reader.list(q)).toEqual([r]);
      expect(await reader.list({...q, email: 'nobody@example.com'})).toEqual(
        [],
      );
    } finally {
      await firestore.terminate();
      await emulator.stop();
    }
  });
});

/**
 * Jest global setup: starts what the whole run shares. Each entry exports its
 * settings through process.env, which jest passes on to the test workers.
 */
import {startFirestoreEmulator} from '../../sandbox/firestore-emulator';

/** The project every test's Firestore client uses (the emulator accepts any). */
export const TEST_PROJECT = 'jit-test-project';

export default async function globalSetup(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  // One emulator for the run; tests keep apart by collection prefix.
  // Where Java and Google's JAR exist and it fails to start, this throws and
  // the run fails (docs/design.md §8).
  const emulator = await startFirestoreEmulator();
  (globalThis as {__firestoreEmulator?: unknown}).__firestoreEmulator =
    emulator;
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.env.FIRESTORE_EMULATOR_KIND = emulator.kind;
  process.env.GOOGLE_CLOUD_PROJECT ??= TEST_PROJECT;
}

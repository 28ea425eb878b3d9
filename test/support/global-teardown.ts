import type {FirestoreEmulator} from '../../sandbox/firestore-emulator';

export default async function globalTeardown(): Promise<void> {
  const emulator = (globalThis as {__firestoreEmulator?: FirestoreEmulator})
    .__firestoreEmulator;
  await emulator?.stop();
}

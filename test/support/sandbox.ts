/**
 * The sandbox of `npm start` for the suites that drive it (the browser, the
 * command line): on the run's Firestore emulator, in a collection prefix of
 * its own, with the functions' last log lines kept and printed when a test
 * fails (they say more than a timeout).
 */
import type {EmulatorKind} from '../../sandbox/firestore-emulator';
import {startSandbox, type Sandbox} from '../../sandbox/sandbox';

export interface TestSandbox {
  sandbox: Sandbox;
  /** Prints the functions' last lines if the current test failed (afterEach). */
  printIfFailed(): void;
}

export async function startTestSandbox(
  prefix: string,
  settings: Record<string, string> = {},
): Promise<TestSandbox> {
  const output: string[] = [];
  const shared = process.env.FIRESTORE_EMULATOR_HOST;
  const sandbox = await startSandbox({
    port: 0,
    firestore: shared
      ? {
          host: shared,
          kind: (process.env.FIRESTORE_EMULATOR_KIND ??
            'google') as EmulatorKind,
        }
      : undefined,
    // A run of its own in the shared emulator.
    settings: {
      FIRESTORE_COLLECTION_PREFIX: `${prefix}${Date.now()}_`,
      ...settings,
    },
    functionsLog: line => {
      output.push(line);
      if (output.length > 300) output.shift();
    },
  });
  return {
    sandbox,
    printIfFailed() {
      const state = expect.getState();
      if (state.assertionCalls !== state.numPassingAsserts) {
        console.log(output.slice(-40).join('\n'));
      }
    },
  };
}

/**
 * The system under proof: the fake Google Cloud, Google's Firestore emulator
 * (optionally behind bench/proof/firestore-proxy.ts), an IAP key server, and
 * the `app` target in one child process run by functions-framework's CLI,
 * as it is deployed (sandbox/functions-child.ts), with an SMTP server that
 * accepts and drops every mail (parsing them, as the sandbox's sink does,
 * would take CPU from the function). The child can be killed and started
 * again on the same stand-ins.
 */
import * as fs from 'fs';
import type {AddressInfo} from 'net';
import * as path from 'path';
import {SMTPServer} from 'smtp-server';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import {
  freePort,
  startFirestoreEmulator,
  type FirestoreEmulator,
} from '../../sandbox/firestore-emulator';
import {
  packageRoot,
  startFunctionsChild,
  type FunctionsChild,
} from '../../sandbox/functions-child';
import {BENCH_AUDIENCE, startBenchIap, type BenchIap} from '../lib/iap';
import {startFirestoreProxy, type FirestoreProxy} from './firestore-proxy';
import {proofWorld} from './world';

/** The auditor the proof runs reconcile as (AUDITOR_PRINCIPALS). */
export const PROOF_AUDITOR = 'proof-auditor@example.com';

export interface ProofSystem {
  fake: FakeGoogleCloud;
  emulator: FirestoreEmulator;
  /** Present when started with `proxy: true`. */
  proxy?: FirestoreProxy;
  /** The collection the run's requests are stored in. */
  collection: string;
  /** The collection of the run's grant records. */
  grantsCollection: string;
  /**
   * Runs reconciliation as an auditor (POST /api/reconcile), as the
   * scheduler would after the run; answers its status and summary.
   */
  reconcile(): Promise<{status: number; body: string}>;
  /** The running child; replaced by restart(). */
  child: FunctionsChild;
  /** A signed IAP assertion for a user. */
  assertion(email: string): string;
  /** Peak resident set of the child so far (VmHWM), in MiB. */
  peakRssMiB(): number | undefined;
  /** Mails accepted. */
  mails(): number;
  /** Lines the child logged at severity ERROR or above, and its last output. */
  errorLines: string[];
  /** Lines the child has printed so far. */
  lines(): number;
  /** The child's log lines that mention `text` (e.g. a request id). */
  linesWith(text: string): string[];
  tail(): string;
  /** SIGKILLs the child and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts a new child on the same stand-ins. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProofOptions {
  users: number;
  /** Put the Firestore proxy between the function and the emulator. */
  proxy?: boolean;
  /** Extra settings for the function. */
  settings?: Record<string, string>;
}

function vmHwmMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * NODE_OPTIONS for the function: PROOF_NODE_OPTIONS, or by default
 * `--max-old-space-size=256`. Node sizes V8's heap from the memory its
 * container allows; on this machine (24 GiB) it would allow itself about
 * 4 GiB and keep garbage a Cloud Run instance (512 MiB by default, the
 * deployments set no other) collects. 256 MiB of old generation, half the
 * instance, makes V8 collect as it must there. An empty PROOF_NODE_OPTIONS
 * runs the function unbounded.
 */
export function functionNodeOptions(): string {
  const given = process.env.PROOF_NODE_OPTIONS;
  return given === undefined ? '--max-old-space-size=256' : given;
}

export async function startProofSystem(
  options: ProofOptions,
): Promise<ProofSystem> {
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    const fake = await startFakeGoogleCloud(proofWorld(options.users));
    stops.push(() => fake.stop());
    const emulator = await startFirestoreEmulator();
    stops.push(() => emulator.stop());
    if (emulator.kind !== 'google') {
      throw new Error(
        "Google's Firestore emulator is needed (Java and `gcloud emulators firestore`): the npm fallback does not isolate transactions",
      );
    }
    let proxy: FirestoreProxy | undefined;
    if (options.proxy) {
      proxy = await startFirestoreProxy(emulator.host);
      stops.push(() => proxy!.stop());
    }
    const iap: BenchIap = await startBenchIap();
    stops.push(() => iap.close());

    let mails = 0;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => {
          mails++;
          callback();
        });
      },
    });
    // A client that goes away mid-session (a killed function) is no error here.
    smtp.on('error', () => {});
    await new Promise<void>(resolve => smtp.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>(resolve => smtp.close(resolve)));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    const prefix = `proof${Date.now()}_`;
    const env: Record<string, string> = {
      ...iap.env,
      ...fakeEndpoints(fake),
      FIRESTORE_EMULATOR_HOST: proxy?.host ?? emulator.host,
      FIRESTORE_COLLECTION_PREFIX: prefix,
      RESOURCE_SCOPE: 'organizations/1',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_ENABLE_STARTTLS: 'false',
      SMTP_SENDER_ADDRESS: 'jit-access@example.com',
      PUBLIC_BASE_URL: 'https://jit.example.com',
      AUDITOR_PRINCIPALS: `user:${PROOF_AUDITOR}`,
      NODE_ENV: 'production',
      ...options.settings,
    };
    const nodeOptions = functionNodeOptions();
    if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
    for (const name of ['PATH', 'HOME', 'TMPDIR']) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const errorLines: string[] = [];
    let tail = '';
    let lines = 0;
    const all: string[] = [];
    const start = async () =>
      startFunctionsChild({
        source: path.join(packageRoot(), 'build', 'functions', 'index.js'),
        target: 'app',
        port: await freePort(),
        env,
        onOutput: line => {
          lines++;
          all.push(line);
          tail = (tail + line + '\n').slice(-8000);
          if (/"severity":"(ERROR|CRITICAL|ALERT|EMERGENCY)"/.test(line))
            errorLines.push(line);
        },
      });
    const system: ProofSystem = {
      fake,
      emulator,
      proxy,
      collection: `${prefix}requests`,
      grantsCollection: `${prefix}grants`,
      async reconcile() {
        const res = await fetch(`${system.child.url}/api/reconcile`, {
          method: 'POST',
          headers: {
            'x-goog-iap-jwt-assertion': system.assertion(PROOF_AUDITOR),
            'content-type': 'application/json',
            'x-jit-access': '1',
          },
          body: '{}',
          signal: AbortSignal.timeout(120_000),
        });
        return {status: res.status, body: await res.text()};
      },
      child: await start(),
      assertion: email => iap.signer.sign({email, aud: BENCH_AUDIENCE}),
      peakRssMiB: () => vmHwmMiB(system.child.process.pid),
      mails: () => mails,
      errorLines,
      lines: () => lines,
      linesWith: text => all.filter(l => l.includes(text)),
      tail: () => tail,
      async kill() {
        system.child.process.kill('SIGKILL');
        await system.child.exited;
      },
      async restart() {
        system.child = await start();
      },
      stop: async () => {
        await system.child.stop();
        await stopAll();
      },
    };
    return system;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * Starts Google's Pub/Sub emulator (`gcloud beta emulators pubsub`, Java) on
 * a free loopback port, and speaks its REST API for what tests need: create
 * a topic and a pull subscription, pull messages. Unlike Firestore there is
 * no npm fallback: without Java or the JAR, `findPubSubEmulatorJar` answers
 * undefined and the tests that need it report themselves skipped.
 */
import {ChildProcess, spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import {freePort, javaAvailable, which} from './firestore-emulator';

const LIB_IN_SDK = path.join('platform', 'pubsub-emulator', 'lib');

/**
 * The emulator's JAR: PUBSUB_EMULATOR_JAR, else the Cloud SDK's copy beside
 * `gcloud` (Debian's package google-cloud-cli-pubsub-emulator puts it there).
 */
export function findPubSubEmulatorJar(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (env.PUBSUB_EMULATOR_JAR) {
    return fs.existsSync(env.PUBSUB_EMULATOR_JAR)
      ? env.PUBSUB_EMULATOR_JAR
      : undefined;
  }
  const gcloud = which('gcloud', env);
  if (!gcloud) return undefined;
  const lib = path.join(
    path.dirname(path.dirname(fs.realpathSync(gcloud))),
    LIB_IN_SDK,
  );
  const jar = fs.existsSync(lib)
    ? fs.readdirSync(lib).find(f => /^cloud-pubsub-emulator-.*\.jar$/.test(f))
    : undefined;
  return jar ? path.join(lib, jar) : undefined;
}

/** Why the emulator cannot run here, or undefined when it can. */
export function pubSubEmulatorMissing(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (!javaAvailable(env)) return 'no java';
  if (!findPubSubEmulatorJar(env)) {
    return 'no Pub/Sub emulator JAR (install google-cloud-cli-pubsub-emulator)';
  }
  return undefined;
}

export interface PulledMessage {
  ackId: string;
  message: {
    messageId: string;
    data?: string;
    attributes?: Record<string, string>;
    publishTime: string;
  };
}

export interface PubSubEmulator {
  /** `127.0.0.1:<port>`, the value of PUBSUB_EMULATOR_HOST. */
  host: string;
  /** Creates `projects/<p>/topics/<t>`. */
  createTopic(topic: string): Promise<void>;
  /** Creates a pull subscription on `topic`. */
  createSubscription(subscription: string, topic: string): Promise<void>;
  /** Pulls (and acknowledges) what is waiting, up to 100 messages. */
  pull(subscription: string): Promise<PulledMessage[]>;
  stop(): Promise<void>;
}

function call(
  host: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://${host}${urlPath}`,
      {method, headers: {'Content-Type': 'application/json'}},
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => (text += c));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function ok(
  host: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<string> {
  const res = await call(host, method, urlPath, body);
  if (res.status !== 200) {
    throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${res.body}`);
  }
  return res.body;
}

/** Starts the emulator; throws if Java or the JAR is missing or it fails to start. */
export async function startPubSubEmulator(
  options: {
    env?: Record<string, string | undefined>;
    startTimeoutMs?: number;
  } = {},
): Promise<PubSubEmulator> {
  const env = options.env ?? process.env;
  const jar = findPubSubEmulatorJar(env);
  if (!jar) throw new Error('No Pub/Sub emulator JAR');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // As sandbox/firestore-emulator.ts: a shell between us and the JVM kills
  // it when our end of its stdin closes, so no emulator outlives us.
  const child: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c',
      'exec 3<&0; "$@" & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid',
      'pubsub-emulator',
      env.JAVA ?? 'java',
      '-jar',
      jar,
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    {stdio: ['pipe', 'pipe', 'pipe'], env: {...env}},
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null | undefined;
  const exit = new Promise<void>(resolve =>
    child.once('exit', code => {
      exited = code;
      resolve();
    }),
  );
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    const res = await call(host, 'GET', '/').catch(() => undefined);
    if (res?.status === 200) break;
    if (exited !== undefined || Date.now() > deadline) {
      child.stdin?.end();
      throw new Error(
        `Google's Pub/Sub emulator (${jar}) did not start on ${host}` +
          (exited !== undefined ? ` (exit code ${exited})` : ' in time') +
          `:\n${output}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as {unref?: () => void} | null)?.unref?.();
  }
  return {
    host,
    createTopic: async topic => {
      await ok(host, 'PUT', `/v1/${topic}`, {});
    },
    createSubscription: async (subscription, topic) => {
      await ok(host, 'PUT', `/v1/${subscription}`, {topic});
    },
    pull: async subscription => {
      const {receivedMessages = []} = JSON.parse(
        await ok(host, 'POST', `/v1/${subscription}:pull`, {
          maxMessages: 100,
          returnImmediately: true,
        }),
      ) as {receivedMessages?: PulledMessage[]};
      if (receivedMessages.length) {
        await ok(host, 'POST', `/v1/${subscription}:acknowledge`, {
          ackIds: receivedMessages.map(m => m.ackId),
        });
      }
      return receivedMessages;
    },
    stop: async () => {
      if (exited !== undefined) return;
      child.ref();
      child.stdin?.end();
      await exit;
    },
  };
}

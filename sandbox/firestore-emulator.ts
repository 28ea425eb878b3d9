/**
 * Starts a Firestore emulator on a free loopback port: Google's Cloud
 * Firestore emulator (Java) when its JAR can be found, else the npm package
 * `@firestore-emulator/server` (docs/design.md §8). Used by jest's global setup and by
 * the local sandbox, so it imports nothing from test/ or shared/.
 *
 * Where Java and the JAR exist, a failure to start is an error, never a silent
 * fallback: the tests that need real transaction isolation must not quietly
 * run against the package, which lacks it.
 */
import {ChildProcess, spawn, spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const EmulatorKind = ['google', 'fallback'] as const;
export type EmulatorKind = (typeof EmulatorKind)[number];

export interface FirestoreEmulator {
  /** `127.0.0.1:<port>`, the value of FIRESTORE_EMULATOR_HOST. */
  host: string;
  kind: EmulatorKind;
  /** Stops the emulator and waits for it to exit. */
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** The environment to read FIRESTORE_EMULATOR_JAR and PATH from. */
  env?: Record<string, string | undefined>;
  /** How long Google's emulator may take to answer (the JVM is slow to start). */
  startTimeoutMs?: number;
  /** Where the emulator's own output goes (default: dropped). */
  onOutput?: (line: string) => void;
}

const JAR_IN_SDK = path.join(
  'platform',
  'cloud-firestore-emulator',
  'cloud-firestore-emulator.jar',
);

/** A free TCP port on 127.0.0.1 (released again before it is used). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The path of `command` on PATH, or undefined. */
export function which(
  command: string,
  env: Record<string, string | undefined>,
): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Google's emulator JAR: FIRESTORE_EMULATOR_JAR, else the Cloud SDK's copy
 * beside `gcloud` (whose bin/ is usually a symlink into the SDK).
 */
export function findEmulatorJar(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (env.FIRESTORE_EMULATOR_JAR) {
    return fs.existsSync(env.FIRESTORE_EMULATOR_JAR)
      ? env.FIRESTORE_EMULATOR_JAR
      : undefined;
  }
  const gcloud = which('gcloud', env);
  if (!gcloud) return undefined;
  const sdk = path.dirname(path.dirname(fs.realpathSync(gcloud)));
  const jar = path.join(sdk, JAR_IN_SDK);
  return fs.existsSync(jar) ? jar : undefined;
}

/** Whether a `java` runs here. */
export function javaAvailable(
  env: Record<string, string | undefined> = process.env,
): boolean {
  const java = env.JAVA ?? 'java';
  const result = spawnSync(java, ['-version'], {stdio: 'ignore', env});
  return result.status === 0;
}

function probe(host: string): Promise<boolean> {
  return new Promise(resolve => {
    const req = http.get(`http://${host}/`, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function startGoogle(
  jar: string,
  options: EmulatorOptions,
): Promise<FirestoreEmulator> {
  const env = options.env ?? process.env;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const javaArgs = [
    '-Duser.language=en',
    '-cp',
    jar,
    'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
    'start',
    '--host=127.0.0.1',
    `--port=${port}`,
  ];
  // A small shell stays between us and the JVM and kills it when our end of
  // its stdin closes: on stop(), and also when this process dies without
  // running its teardown (a killed jest), so no emulator is left behind.
  // (fd 3: a background list's stdin is /dev/null unless redirected.)
  const child: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c',
      'exec 3<&0; "$@" & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid',
      'firestore-emulator',
      env.JAVA ?? 'java',
      ...javaArgs,
    ],
    {stdio: ['pipe', 'pipe', 'pipe'], env: {...env}},
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    // Keep the tail only, for the error message if it fails to start.
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line) options.onOutput?.(line);
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
  while (!(await probe(host))) {
    if (exited !== undefined || Date.now() > deadline) {
      child.stdin?.end();
      throw new Error(
        `Google's Firestore emulator (${jar}) did not start on ${host}` +
          (exited !== undefined ? ` (exit code ${exited})` : ' in time') +
          `:\n${output}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
  // A test that leaves the JVM behind must not keep jest's parent alive.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as {unref?: () => void} | null)?.unref?.();
  }
  return {
    host,
    kind: 'google',
    stop: async () => {
      if (exited !== undefined) return;
      // Hold the event loop open until the JVM is gone: with the child
      // unref'd, waiting on it alone would let node exit early, with code 0,
      // before jest sets the failing exit code of the run.
      child.ref();
      child.stdin?.end();
      await exit;
    },
  };
}

async function startFallback(): Promise<FirestoreEmulator> {
  // Loaded only here: it is a dev dependency, absent in a production install.
  const {FirestoreServer} =
    require('@firestore-emulator/server') as typeof import('@firestore-emulator/server');
  const server = new FirestoreServer();
  // gRPC on a port of its own, behind a front that also answers the REST
  // reads of the roles listing (firestore-rest-front.ts).
  const grpcPort = await freePort();
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // The package's start() binds 0.0.0.0; bind loopback only.
  const grpcServer = (
    server as unknown as {
      server: {
        bindAsync(
          address: string,
          credentials: unknown,
          callback: (err: Error | null) => void,
        ): void;
      };
    }
  ).server;
  const {ServerCredentials} = require(
    require.resolve('@grpc/grpc-js', {
      paths: [require.resolve('@firestore-emulator/server')],
    }),
  ) as typeof import('@grpc/grpc-js');
  await new Promise<void>((resolve, reject) =>
    grpcServer.bindAsync(
      `127.0.0.1:${grpcPort}`,
      ServerCredentials.createInsecure(),
      err => (err ? reject(err) : resolve()),
    ),
  );
  const {startRestFront} =
    require('./firestore-rest-front') as typeof import('./firestore-rest-front');
  const front = await startRestFront(port, grpcPort);
  return {
    host,
    kind: 'fallback',
    stop: async () => {
      await front.stop();
      await server.stop();
    },
  };
}

/**
 * Starts Google's emulator where Java and the JAR exist (throwing if it fails
 * to start), else the npm fallback.
 */
export async function startFirestoreEmulator(
  options: EmulatorOptions = {},
): Promise<FirestoreEmulator> {
  const env = options.env ?? process.env;
  const jar = findEmulatorJar(env);
  if (jar && javaAvailable(env)) return startGoogle(jar, options);
  return startFallback();
}

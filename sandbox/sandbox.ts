/**
 * The whole local system on one port (docs/design.md §7): the fake Google Cloud
 * seeded from sandbox/seed.json, a Firestore emulator, an SMTP sink, the IAP
 * stand-in, and the functions themselves (target `app`) in a child process
 * whose environment points only at those stand-ins.
 *
 * `npm start` runs it (sandbox/start.ts); tests and the bench drive it
 * in-process through startSandbox.
 */
import * as fs from 'fs';
import * as path from 'path';
import {FakeGoogleCloud, startFakeGoogleCloud, fakeEndpoints} from './fake-gcp';
import type {World} from './fake-gcp';
import {
  EmulatorKind,
  freePort,
  startFirestoreEmulator,
  FirestoreEmulator,
} from './firestore-emulator';
import {
  functionsFrameworkCli,
  packageRoot,
  startFunctionsChild,
  FunctionsChild,
} from './functions-child';
import {makeChatSigner} from './chat-signer';
import {CHAT_KEYS_PATH, KEYS_PATH, startStandIn, StandIn} from './iap-stand-in';
import {makeIapSigner} from './iap-signer';
import {MailSink, startMailSink} from './mail-sink';
import type {SandboxUser} from './pages';

/** The seed: the fake's World plus the users the sign-in page lists. */
export type Seed = World & {users: SandboxUser[]};

/** Product settings a developer may pass through to the functions. */
export const PASSED_SETTINGS = [
  'RESOURCE_CATALOG',
  'AVAILABLE_PROJECTS_QUERY',
  'ACTIVATION_TIMEOUT',
  'ELEVATION_DURATION',
  'ACTIVATION_REQUEST_TIMEOUT',
  'ACTIVATION_REQUEST_MIN_REVIEWERS',
  'ACTIVATION_REQUEST_MAX_REVIEWERS',
  'ACTIVATION_REQUEST_REQUIRED_APPROVALS',
  'ACTIVATION_REQUEST_MAX_ROLES',
  'JUSTIFICATION_PATTERN',
  'JUSTIFICATION_HINT',
  'NOTIFICATION_TIMEZONE',
  'NOTIFICATION_TOPIC',
  'NOTIFY_SELF_ACTIVATION',
  'AUDITOR_PRINCIPALS',
  'GRANT_RETENTION_DAYS',
  'SMTP_SENDER_NAME',
  'SMTP_SENDER_ADDRESS',
  'SMTP_ADDRESS_MAPPING',
  'SMTP_OPTIONS',
  'BACKEND_CONNECT_TIMEOUT',
  'BACKEND_READ_TIMEOUT',
  'BACKEND_WRITE_TIMEOUT',
  'RATE_LIMIT_PER_MINUTE',
  'FIRESTORE_COLLECTION_PREFIX',
] as const;

export interface SandboxOptions {
  /** The public port; 0 picks a free one. */
  port: number;
  /** The seed; sandbox/seed.json otherwise. */
  seed?: Seed;
  /** Extra settings for the functions (names of PASSED_SETTINGS and others). */
  settings?: Record<string, string>;
  /** An emulator already running (tests share one); otherwise one is started. */
  firestore?: {host: string; kind: EmulatorKind};
  /** Where progress and the children's output go (default: dropped). */
  log?: (line: string) => void;
  /** The functions' log lines (default: `log`). */
  functionsLog?: (line: string) => void;
  /**
   * Google Chat (default on): cards go to a space of the fake's Chat API and
   * the `chat` target runs in a second child, for /sandbox/chat.
   */
  chat?: boolean;
}

export interface Sandbox {
  /** `http://localhost:<port>`. */
  url: string;
  port: number;
  fake: FakeGoogleCloud;
  mail: MailSink;
  firestore: {host: string; kind: EmulatorKind};
  users: SandboxUser[];
  /** The functions' environment, for the record. */
  functionsEnv: Record<string, string>;
  /** Resolves when the functions exit by themselves (a crash). */
  functionsExited: Promise<number | null>;
  /** The `chat` target's URL, when Chat is on. */
  chatUrl?: string;
  stop(): Promise<void>;
}

/** Reads sandbox/seed.json (from the source tree, also when run from build/). */
export function loadSeed(file?: string): Seed {
  const candidates = file
    ? [file]
    : [
        path.join(__dirname, 'seed.json'),
        path.join(packageRoot(), 'sandbox', 'seed.json'),
      ];
  const found = candidates.find(f => fs.existsSync(f));
  if (!found) throw new Error(`No seed: ${candidates.join(', ')} missing`);
  const seed = JSON.parse(fs.readFileSync(found, 'utf8')) as Seed;
  if (
    !Array.isArray(seed.users) ||
    seed.users.some(u => typeof u?.email !== 'string')
  ) {
    throw new Error(
      `${found}: "users" must be a list of objects that each have an "email"`,
    );
  }
  return seed;
}

function scopeOf(seed: Seed): string {
  if (seed.organization) return seed.organization.name;
  const project = seed.projects?.[0]?.projectId;
  if (!project)
    throw new Error('The seed has neither an organization nor a project');
  return `projects/${project}`;
}

/** Starts everything; on any failure, stops what was started and throws. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? loadSeed();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch(() => {});
    }
    stops.length = 0;
  };
  try {
    const fake = await startFakeGoogleCloud(seed);
    stops.push(() => fake.stop());
    // Events on by default: the fake keeps what is published to the topic.
    const projectId = seed.metadata?.projectId ?? 'jit-access-sandbox';
    const topic =
      options.settings?.NOTIFICATION_TOPIC ??
      `projects/${projectId}/topics/jit-access-events`;
    const topicName =
      topic && !topic.startsWith('projects/')
        ? `projects/${projectId}/topics/${topic}`
        : topic;
    if (topicName) fake.world.topics = {[topicName]: [], ...fake.world.topics};
    log(`Fake Google Cloud on ${fake.url}`);

    const emulator: Pick<FirestoreEmulator, 'host' | 'kind'> =
      options.firestore ?? (await startFirestoreEmulator());
    if (!options.firestore) {
      const started = emulator as FirestoreEmulator;
      stops.push(() => started.stop());
    }
    log(
      emulator.kind === 'google'
        ? `Firestore: Google's Cloud Firestore emulator (Java) on ${emulator.host}`
        : `Firestore: no Java or no emulator JAR found, so the npm fallback @firestore-emulator/server runs on ${emulator.host} (its transactions are not isolated)`,
    );

    const mail = await startMailSink();
    stops.push(() => mail.stop());

    const signer = makeIapSigner();
    const chatOn = options.chat ?? true;
    const chatSigner = chatOn ? makeChatSigner() : undefined;
    const chatSpace = 'spaces/SANDBOXreviewers';
    if (chatOn) {
      const chat = (fake.world.chat ??= {});
      chat.spaces = {
        [chatSpace]: {spaceType: 'SPACE', displayName: 'JIT Access reviewers'},
        ...chat.spaces,
      };
      chat.messages ??= [];
    }
    const projectNumber =
      seed.metadata?.projectNumber ?? seed.projects?.[0]?.projectNumber ?? '1';
    const backendId = seed.backendServices?.[0]?.id ?? '1';
    const audience = `/projects/${projectNumber}/global/backendServices/${backendId}`;
    // Set once the functions listen; until then the stand-in answers 503.
    const upstream: {url?: string; chat?: string} = {};
    const standIn: StandIn = await startStandIn({
      port: options.port,
      users: seed.users,
      signer,
      audience,
      mail,
      events: {
        topic: topicName || undefined,
        messages: () => fake.world.topics?.[topicName] ?? [],
      },
      policies: () => (fake.world.policies ??= {}),
      upstream: () => upstream.url,
      ...(chatSigner
        ? {
            chat: {
              space: chatSpace,
              messages: () => fake.world.chat?.messages ?? [],
              signer: chatSigner,
              projectNumber,
              upstream: () => upstream.chat,
            },
          }
        : {}),
    });
    stops.push(() => standIn.stop());
    const url = `http://localhost:${standIn.port}`;

    const env: Record<string, string> = {
      ...fakeEndpoints(fake),
      FIRESTORE_EMULATOR_HOST: emulator.host,
      GOOGLE_CLOUD_PROJECT: projectId,
      NOTIFICATION_TOPIC: topic,
      RESOURCE_SCOPE: scopeOf(seed),
      SMTP_HOST: mail.host,
      SMTP_PORT: String(mail.port),
      SMTP_ENABLE_STARTTLS: 'false',
      SMTP_SENDER_ADDRESS: 'jit-access@example.com',
      // Self-activations are mailed too, so /sandbox/mail shows that mail.
      NOTIFY_SELF_ACTIVATION: 'security@example.com',
      // Grace audits every grant (My access) and runs reconciliation.
      AUDITOR_PRINCIPALS: 'group:auditors@example.com',
      PUBLIC_BASE_URL: url,
      IAP_PUBLIC_KEYS_URL: `http://127.0.0.1:${standIn.port}${KEYS_PATH}`,
      IAP_AUDIENCE: audience,
      ...(chatOn
        ? {
            CHAT_SPACE: chatSpace,
            CHAT_AUDIENCE: projectNumber,
            CHAT_PUBLIC_KEYS_URL: `http://127.0.0.1:${standIn.port}${CHAT_KEYS_PATH}`,
          }
        : {}),
      METADATA_SERVER_DETECTION: 'none',
      NODE_ENV: 'production',
      ...options.settings,
    };
    const functionsEnv = {...env};
    // The child needs a PATH and a HOME, nothing else of ours.
    for (const name of ['PATH', 'HOME', 'TMPDIR']) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const source = path.join(packageRoot(), 'build', 'functions', 'index.js');
    const started = await Promise.allSettled([
      startFunctionsChild({
        source,
        target: 'app',
        port: await freePort(),
        env,
        onOutput: options.functionsLog ?? log,
      }),
      chatOn
        ? startFunctionsChild({
            source,
            target: 'chat',
            port: await freePort(),
            env,
            onOutput: options.functionsLog ?? log,
          })
        : undefined,
    ]);
    // Whichever started is stopped with the rest if the other failed.
    for (const s of started) {
      if (s.status === 'fulfilled' && s.value) {
        const running: FunctionsChild = s.value;
        stops.push(() => running.stop());
      }
    }
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [child, chatChild] = started.map(s =>
      s.status === 'fulfilled' ? s.value : undefined,
    ) as [FunctionsChild, FunctionsChild | undefined];
    upstream.url = child.url;
    if (chatChild) upstream.chat = chatChild.url;
    log(
      `Functions (${path.relative(packageRoot(), functionsFrameworkCli())} --target=app) on ${child.url}` +
        (chatChild ? `, --target=chat on ${chatChild.url}` : ''),
    );

    return {
      url,
      port: standIn.port,
      fake,
      mail,
      firestore: {host: emulator.host, kind: emulator.kind},
      users: seed.users,
      functionsEnv,
      functionsExited: child.exited,
      ...(chatChild ? {chatUrl: chatChild.url} : {}),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

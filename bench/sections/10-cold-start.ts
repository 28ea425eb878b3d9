/**
 * Cold start: process start to the first 200, for target `roles` beside a
 * bare functions-framework hello-world in the same run (alternating, so
 * that drift in the machine's load falls on both alike).
 *
 * /health and /api/policy are measured first, with no other process
 * running; the roles listing then beside the fake Google Cloud and the
 * Firestore emulator, against a hello-world measured in that same company.
 *
 * `roles` is measured twice: to `GET /health` (the module graph alone) and to
 * `GET /api/policy` with a valid assertion (plus the IAP verifier, its key
 * fetch and google-auth-library). Target: policy / hello-world <= 1.5.
 * And to `GET /api/projects/{p}/roles` against the fake Google Cloud and the
 * Firestore emulator: the whole path of a user's first page (Cloud Asset,
 * Cloud Identity and Firestore clients loaded, three round trips).
 */
import {performance} from 'perf_hooks';
import {startBenchIap, BENCH_AUDIENCE} from '../lib/iap';
import {benchFakeWorld, BENCH_PROJECT, BENCH_USER} from '../eligibility-world';
import {fakeEndpoints, startFakeGoogleCloud} from '../../sandbox/fake-gcp';
import {startFirestoreEmulator} from '../../sandbox/firestore-emulator';
import {startTarget} from '../lib/child';
import type {BenchRow, BenchSection} from '../lib/section';
import {median} from '../lib/stats';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 25);

interface Case {
  name: string;
  source: string;
  target: string;
  path: string;
  headers?: () => Record<string, string>;
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
}

async function coldStart(
  c: Case,
  env: Record<string, string>,
): Promise<Sample> {
  const t0 = performance.now();
  const running = await startTarget({source: c.source, target: c.target, env});
  try {
    const res = await fetch(running.url + c.path, {headers: c.headers?.()});
    await res.arrayBuffer();
    if (res.status !== 200) {
      throw new Error(
        `${c.name}: ${c.path} answered ${res.status}\n${running.output()}`,
      );
    }
    return {wallMs: performance.now() - t0, cpuMs: running.cpuMs()};
  } finally {
    await running.stop();
  }
}

/** Runs the cases in turn, RUNS times, after one uncounted round. */
async function measure(
  cases: Case[],
  env: Record<string, string>,
): Promise<Map<string, Sample[]>> {
  // Warm the parent's own HTTP client and the disk cache; not counted.
  for (const c of cases) await coldStart(c, env);
  const samples = new Map<string, Sample[]>(cases.map(c => [c.name, []]));
  // Alternating, so that drift in the machine's load falls on all alike.
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) samples.get(c.name)!.push(await coldStart(c, env));
  }
  return samples;
}

/**
 * BENCH_COMPARE_BUILD=<another checkout>/build/functions/index.js measures
 * that build's targets too, alternating with this one's in the same run: a
 * change's effect on cold starts, free of the drift between two runs.
 */
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

export const section: BenchSection = {
  title: 'Cold start (process start to first 200)',
  async run(): Promise<BenchRow[]> {
    const iap = await startBenchIap();
    const assertion = (email: string) => () => ({
      'x-goog-iap-jwt-assertion': iap.signer.sign({email, aud: BENCH_AUDIENCE}),
    });
    const samples = new Map<string, Sample[]>();
    let firestoreKind = '';
    try {
      // The targets' own comparison first, with nothing else running: the
      // Firestore emulator (a JVM) is started only for the roles listing.
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
      );
      own.forEach((v, k) => samples.set(k, v));

      const fake = await startFakeGoogleCloud(benchFakeWorld(new Date()));
      const firestore = await startFirestoreEmulator();
      firestoreKind = firestore.kind;
      try {
        const listing = await measure(
          withCompared([
            {...HELLO, name: 'hello-world (beside the emulator)'},
            {
              name: 'roles /api/projects/{p}/roles',
              source: 'build/functions/index.js',
              target: 'roles',
              path: `/api/projects/${BENCH_PROJECT}/roles`,
              headers: assertion(BENCH_USER),
            },
          ]),
          {
            ...iap.env,
            ...fakeEndpoints(fake),
            FIRESTORE_EMULATOR_HOST: firestore.host,
            RESOURCE_SCOPE: 'organizations/1',
          },
        );
        listing.forEach((v, k) => samples.set(k, v));
      } finally {
        await Promise.all([fake.stop(), firestore.stop()]);
      }
    } finally {
      await iap.close();
    }

    const wall = (name: string) =>
      median(samples.get(name)!.map(s => s.wallMs));
    const cpu = (name: string) => {
      const values = samples.get(name)!.map(s => s.cpuMs);
      return values.every(v => v !== undefined)
        ? median(values as number[])
        : undefined;
    };
    const note = `median of ${RUNS} runs`;
    const rows: BenchRow[] = [
      ...[...samples.keys()].map(name => ({
        metric: `cold start ${name}`,
        value: round(wall(name), 1),
        unit: 'ms',
        note,
      })),
      {
        metric: 'ratio roles /health / hello-world',
        value: round(wall('roles /health') / wall('hello-world'), 2),
        unit: '×',
        note,
      },
      {
        metric: 'ratio roles /api/policy / hello-world',
        value: round(wall('roles /api/policy') / wall('hello-world'), 2),
        unit: '×',
        target: 1.5,
        note,
      },
      {
        metric: 'ratio roles /api/projects/{p}/roles / hello-world',
        value: round(
          wall('roles /api/projects/{p}/roles') /
            wall('hello-world (beside the emulator)'),
          2,
        ),
        unit: '×',
        note: `${note}; fake Google Cloud and ${firestoreKind} Firestore emulator`,
      },
    ];
    // CPU time to the first 200: the same comparison, robust to a busy machine.
    const cpuHello = cpu('hello-world');
    const cpuPolicy = cpu('roles /api/policy');
    if (cpuHello !== undefined && cpuPolicy !== undefined) {
      const cpuNote = `child CPU (user+sys), ${note}`;
      rows.push(
        ...['hello-world', 'roles /health', 'roles /api/policy'].map(name => ({
          metric: `cold start CPU ${name}`,
          value: round(cpu(name)!, 0),
          unit: 'ms',
          note: cpuNote,
        })),
        {
          metric: 'CPU ratio roles /api/policy / hello-world',
          value: round(cpuPolicy / cpuHello, 2),
          unit: '×',
          target: 1.5,
          note: cpuNote,
        },
      );
    }
    return rows;
  },
};

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Benchmark section: eligibility.
 *
 * - The time to compute one user's eligible roles over pre-fetched data (a
 *   project chain of 5,000 bindings, 1,000 groups): target ≤ 50 ms median.
 *   API latency is excluded on purpose: this times exactly what the
 *   catalogs do between the calls and the answer.
 * - Google API calls per `GET /api/projects/{p}/roles` (AssetInventory ≤ 3,
 *   PolicyAnalyzer 1), and per project and peer listing, counted by the fake
 *   Google Cloud over loopback with the real adapters, in the same world.
 */
import {performance} from 'perf_hooks';
import type {BenchRow} from './lib/section';
import {median} from './lib/stats';
import {locatedBindings} from '../shared/eligibility/asset-inventory-catalog';
import {computeEntitlements} from '../shared/eligibility/entitlements';
import {applicability, makeCaller} from '../shared/eligibility/principals';
import {loadConfig} from '../shared/config';
import {makeEligibilityService} from '../shared/eligibility';
import type {EligibilityService} from '../shared/eligibility/types';
import {makeAssetInventoryClient} from '../shared/google/asset';
import {makeDirectoryClient} from '../shared/google/identity';
import {makeLogger} from '../shared/log';
import {fakeEndpoints, startFakeGoogleCloud} from '../sandbox/fake-gcp';
import {
  BENCH_PROJECT,
  BENCH_USER,
  benchFakeWorld,
  makeBenchWorld,
} from './eligibility-world';

/** Times the pure computation of one user's entitlements. */
export function benchComputeEntitlements(runs = 30): BenchRow[] {
  const now = new Date('2030-01-01T00:00:00Z');
  const world = makeBenchWorld(now);
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const caller = makeCaller(BENCH_USER, world.userGroups);
    const set = computeEntitlements({
      bindings: locatedBindings(world.policies),
      applies: b => applicability(b.members, caller),
      projectBindings: world.policies[0]?.policy.bindings ?? [],
      userEmail: caller.email,
      now,
    });
    const elapsed = performance.now() - start;
    // The first runs warm the JIT compiler; they are not counted.
    if (i >= 3) times.push(elapsed);
    count = set.entitlements.length;
  }
  const m = median(times);
  return [
    {
      metric: "compute one user's roles (pure, pre-fetched data)",
      value: Math.round(m * 100) / 100,
      unit: 'ms',
      target: 50,
      note: `median of ${runs}; ${world.bindingCount} bindings, ${world.groups.length} groups, ${count} entitlements`,
    },
  ];
}

const CALL_TARGETS = {AssetInventory: 3, PolicyAnalyzer: 1} as const;

/** Counts the Google API calls of each operation, per catalog, against the fake. */
export async function benchGoogleCalls(): Promise<BenchRow[]> {
  const fake = await startFakeGoogleCloud(benchFakeWorld(new Date()));
  const results: BenchRow[] = [];
  try {
    for (const catalog of ['AssetInventory', 'PolicyAnalyzer'] as const) {
      const config = loadConfig({
        GOOGLE_CLOUD_PROJECT: BENCH_PROJECT,
        RESOURCE_SCOPE: 'organizations/1',
        RESOURCE_CATALOG: catalog,
        ...fakeEndpoints(fake),
      });
      const log = makeLogger(() => {});
      const service: EligibilityService = makeEligibilityService(catalog, {
        config,
        assets: makeAssetInventoryClient(config, log),
        directory: makeDirectoryClient(config, log),
        log,
      });
      const count = async (work: () => Promise<unknown>) => {
        fake.resetLog();
        const start = performance.now();
        await work();
        return {calls: fake.calls().length, ms: performance.now() - start};
      };
      // A first call loads the client libraries: not what is measured.
      await service.listEntitlements(BENCH_USER, BENCH_PROJECT);
      const roles = await count(() =>
        service.listEntitlements(BENCH_USER, BENCH_PROJECT),
      );
      const target = CALL_TARGETS[catalog];
      results.push({
        metric: `Google API calls per GET roles (${catalog})`,
        value: roles.calls,
        unit: 'calls',
        target,
        note: 'counted by the fake, real adapters',
      });
      results.push({
        metric: `GET roles over loopback (${catalog})`,
        value: Math.round(roles.ms * 10) / 10,
        unit: 'ms',
        note: 'one call, the fake with 500 bindings and 100 groups',
      });
      const projects = await count(() => service.listProjects(BENCH_USER));
      results.push({
        metric: `Google API calls per GET projects (${catalog})`,
        value: projects.calls,
        unit: 'calls',
        note: 'counted by the fake, real adapters',
      });
    }
  } finally {
    await fake.stop();
  }
  return results;
}

/** Every eligibility measurement. */
export async function runEligibilityBench(): Promise<BenchRow[]> {
  return [...benchComputeEntitlements(), ...(await benchGoogleCalls())];
}

if (require.main === module) {
  runEligibilityBench().then(
    results => {
      for (const r of results) {
        const missed = r.target !== undefined && r.value > r.target;
        console.log(
          `${missed ? 'MISSED' : 'ok'} ${r.metric}: ${r.value} ${r.unit}` +
            (r.target !== undefined ? ` (target <= ${r.target})` : ''),
        );
      }
    },
    err => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

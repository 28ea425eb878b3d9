/**
 * A seeded, deterministic world for the eligibility benchmark: 5,000
 * bindings on one project's chain (project, two folders, organization) and
 * 1,000 groups, the user a member of 100 of them.
 */
import type {AttachedPolicy, IamBinding} from '../shared/ports';
import {formatActivationCondition} from '../shared/eligibility/conditions';
import type {World} from '../sandbox/fake-gcp/world';

/** The user whose roles are computed. */
export const BENCH_USER = 'user7@example.com';
/** The project asked about. */
export const BENCH_PROJECT = 'bench-project';
/** The project and its ancestors, nearest first. */
export const BENCH_CHAIN = [
  '//cloudresourcemanager.googleapis.com/projects/bench-project',
  '//cloudresourcemanager.googleapis.com/folders/200',
  '//cloudresourcemanager.googleapis.com/folders/100',
  '//cloudresourcemanager.googleapis.com/organizations/1',
];

/** A small linear congruential generator: the same world on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The pre-fetched data of the pure benchmark. */
export interface BenchWorld {
  policies: AttachedPolicy[];
  /** All 1,000 group emails. */
  groups: string[];
  /** The groups the user is in (transitively), as the directory reports them. */
  userGroups: string[];
  bindingCount: number;
}

/** Builds the world; `now` decides which activations are still running. */
export function makeBenchWorld(
  now: Date,
  bindingCount = 5000,
  groupCount = 1000,
): BenchWorld {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T =>
    list[Math.floor(next() * list.length)]!;
  const groups = Array.from(
    {length: groupCount},
    (_, i) => `group${i}@example.com`,
  );
  const userGroups = groups.filter((_, i) => i % 10 === 7);
  const conditions = Array.from(
    {length: 20},
    (_, i) => `resource.name.startsWith("projects/_/buckets/b${i}")`,
  );
  const chains: IamBinding[][] = BENCH_CHAIN.map(() => []);
  for (let i = 0; i < bindingCount; i++) {
    const members: string[] = [];
    const n = 1 + Math.floor(next() * 4);
    for (let m = 0; m < n; m++) {
      const r = next();
      if (r < 0.45)
        members.push(`user:user${Math.floor(next() * 1000)}@example.com`);
      else if (r < 0.9) members.push(`group:${pick(groups)}`);
      else if (r < 0.95)
        members.push(`serviceAccount:sa${m}@p.iam.gserviceaccount.com`);
      else members.push('domain:example.org');
    }
    const role = `roles/service${Math.floor(next() * 150)}.role${i % 7}`;
    const kind = next();
    let condition: IamBinding['condition'];
    if (kind < 0.25) {
      condition = {expression: 'has({}.jitAccessConstraint)'};
    } else if (kind < 0.4) {
      condition = {expression: 'has({}.multiPartyApprovalConstraint)'};
    } else if (kind < 0.45) {
      condition = {
        expression: `has({}.jitAccessConstraint) && ${pick(conditions)}`,
      };
    } else if (kind < 0.5) {
      const end = new Date(now.getTime() + (next() - 0.5) * 7200_000);
      condition = formatActivationCondition({
        start: new Date(end.getTime() - 3600_000),
        end,
      });
    }
    const binding: IamBinding = {role, members};
    if (condition) binding.condition = condition;
    // Most bindings sit on the project; activations only there.
    const level = condition?.title ? 0 : Math.floor(next() * next() * 4);
    chains[level]!.push(binding);
  }
  // Make sure the user has activations to find.
  chains[0]!.push({
    role: 'roles/service1.role1',
    members: [`user:${BENCH_USER}`],
    condition: formatActivationCondition({
      start: now,
      end: new Date(now.getTime() + 3600_000),
    }),
  });
  return {
    policies: BENCH_CHAIN.map((attachedResource, i) => ({
      attachedResource,
      policy: {version: 3, etag: 'BwY=', bindings: chains[i]},
    })),
    groups,
    userGroups,
    bindingCount: bindingCount + 1,
  };
}

/**
 * The same kind of world as the fake Google Cloud's seed
 * (sandbox/fake-gcp/world.ts), smaller by default: the fake recomputes group
 * memberships per request, which is slow at 1,000 groups, and call counts do
 * not depend on the size.
 */
export function benchFakeWorld(
  now: Date,
  bindingCount = 500,
  groupCount = 100,
): World {
  const bench = makeBenchWorld(now, bindingCount, groupCount);
  const key = (full: string) =>
    full.slice('//cloudresourcemanager.googleapis.com/'.length);
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    folders: [
      {name: 'folders/100', parent: 'organizations/1'},
      {name: 'folders/200', parent: 'folders/100'},
    ],
    projects: [
      {projectId: BENCH_PROJECT, projectNumber: '4001', parent: 'folders/200'},
    ],
    policies: Object.fromEntries(
      bench.policies.map(p => [key(p.attachedResource), p.policy]),
    ),
    groups: bench.groups.map((email, i) => ({
      email,
      // The user is in every tenth group: directly, or through a nested one.
      members:
        i % 20 === 7
          ? [BENCH_USER]
          : i % 20 === 17
            ? [`group${i - 10}@example.com`]
            : [
                `user${i % 1000}@example.com`,
                `user${(i * 7) % 1000}@example.com`,
              ],
    })),
    identityPremium: true,
  };
}

/**
 * Eligibility tests of record: the real adapters (shared/google/) against the
 * fake Google Cloud over loopback, a seeded world the tests change, and both
 * catalogs built over the same ports.
 */
import {loadConfig, type Config, type Env} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type World,
  type WorldBinding,
} from '../../sandbox/fake-gcp';
import {makeAssetInventoryClient} from '../../shared/google/asset';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeProjectSearchClient} from '../../shared/google/resource-manager';
import {
  makeAssetInventoryCatalog,
  makePolicyAnalyzerCatalog,
} from '../../shared/eligibility';
import type {EligibilityService} from '../../shared/eligibility/types';

export const JIT = {expression: 'has({}.jitAccessConstraint)'};
export const MPA = {expression: 'has({}.multiPartyApprovalConstraint)'};

/**
 * The organization `organizations/1` (example.com):
 * folders/100 > folders/200 > alpha-app; folders/300 > beta-app;
 * gamma-app under the organization, being deleted. Groups: team ⊃ inner ⊃
 * alice, carol; team ⊃ bob; other ⊃ dave.
 */
export function baseWorld(): World {
  return {
    organization: {
      name: 'organizations/1',
      displayName: 'example.com',
      domain: 'example.com',
    },
    domains: ['example.com'],
    folders: [
      {
        name: 'folders/100',
        parent: 'organizations/1',
        displayName: 'engineering',
      },
      {name: 'folders/200', parent: 'folders/100', displayName: 'apps'},
      {name: 'folders/300', parent: 'organizations/1', displayName: 'finance'},
    ],
    projects: [
      {projectId: 'alpha-app', projectNumber: '1001', parent: 'folders/200'},
      {projectId: 'beta-app', projectNumber: '1002', parent: 'folders/300'},
      {
        projectId: 'gamma-app',
        projectNumber: '1003',
        parent: 'organizations/1',
        state: 'DELETE_REQUESTED',
      },
      {projectId: 'delta-app', projectNumber: '1004', parent: 'folders/100'},
    ],
    users: ['alice', 'bob', 'carol', 'dave', 'eve'].map(u => ({
      email: `${u}@example.com`,
    })),
    groups: [
      {
        email: 'team@example.com',
        members: ['bob@example.com', 'inner@example.com'],
      },
      {
        email: 'inner@example.com',
        members: ['alice@example.com', 'carol@example.com'],
      },
      {email: 'other@example.com', members: ['dave@example.com']},
    ],
    identityPremium: true,
    policies: {},
  };
}

export interface EligibilityWorld {
  fake: FakeGoogleCloud;
  config: Config;
  catalogs: Record<'AssetInventory' | 'PolicyAnalyzer', EligibilityService>;
  memory: ReturnType<typeof makeMemoryLogger>;
  /** Replaces the policies of the world: resource name → bindings. */
  setPolicies(policies: Record<string, WorldBinding[]>): void;
  /** Builds both catalogs again for another environment (scope, query). */
  withEnv(
    env: Env,
  ): Record<'AssetInventory' | 'PolicyAnalyzer', EligibilityService>;
  stop(): Promise<void>;
}

export async function startEligibilityWorld(
  world: World = baseWorld(),
  env: Env = {},
): Promise<EligibilityWorld> {
  const fake = await startFakeGoogleCloud(world);
  const memory = makeMemoryLogger();
  const build = (extra: Env) => {
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'jit-host-project',
      RESOURCE_SCOPE: 'organizations/1',
      ...fakeEndpoints(fake),
      ...extra,
    });
    const deps = {
      config,
      assets: makeAssetInventoryClient(config, memory.logger),
      directory: makeDirectoryClient(config, memory.logger),
      projectSearch: makeProjectSearchClient(config, memory.logger),
      log: memory.logger,
    };
    return {
      config,
      catalogs: {
        AssetInventory: makeAssetInventoryCatalog(deps),
        PolicyAnalyzer: makePolicyAnalyzerCatalog(deps),
      },
    };
  };
  const {config, catalogs} = build(env);
  return {
    fake,
    config,
    catalogs,
    memory,
    setPolicies(policies) {
      fake.world.policies = Object.fromEntries(
        Object.entries(policies).map(([name, bindings]) => [
          name,
          {version: 3, etag: 'BwX1', bindings},
        ]),
      );
    },
    withEnv: extra => build({...env, ...extra}).catalogs,
    stop: () => fake.stop(),
  };
}

/** An activation binding as the activation code writes it. */
export function activationBinding(
  role: string,
  email: string,
  start: Date,
  end: Date,
): WorldBinding {
  const ts = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');
  return {
    role,
    members: [`user:${email}`],
    condition: {
      title: 'JIT access activation',
      description: 'Self-approved, justification: test',
      expression: `(request.time >= timestamp("${ts(start)}") && request.time < timestamp("${ts(end)}"))`,
    },
  };
}

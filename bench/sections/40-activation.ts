/**
 * Google API calls of one self-activation of 5 roles, through the real use
 * case as the composition root builds it, the real catalog and the real activator against
 * the fake Google Cloud, counted from the fake's request log: the eligibility
 * calls, plus exactly 1 getIamPolicy and 1 setIamPolicy. Upstream (JIT Access
 * 1.x) reads and writes the policy once per role: 5 + 5.
 */
import {makeServices} from '../../functions/deps';
import {parseEntitlementRef} from '../../shared/eligibility/entitlement-ref';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type World,
} from '../../sandbox/fake-gcp';
import {startFirestoreEmulator} from '../../sandbox/firestore-emulator';
import {loadConfig, type ResourceCatalog} from '../../shared/config';
import {makeLogger} from '../../shared/log';
import type {BenchRow, BenchSection} from '../lib/section';

const PROJECT = 'bench-activation';
const USER = 'alice@example.com';
const ROLES = ['a', 'b', 'c', 'd', 'e'].map(r => `roles/bench.${r}`);
const GET = 'cloudresourcemanager.projects.getIamPolicy';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

function world(): World {
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: [{email: USER}],
    groups: [{email: 'admins@example.com', members: [USER]}],
    identityPremium: true,
    projects: [
      {projectId: PROJECT, projectNumber: '9001', parent: 'organizations/1'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        bindings: ROLES.map(role => ({
          role,
          members: ['group:admins@example.com'],
          condition: {title: 'JIT', expression: 'has({}.jitAccessConstraint)'},
        })),
      },
    },
  };
}

async function measure(catalog: ResourceCatalog): Promise<BenchRow[]> {
  const fake = await startFakeGoogleCloud(world());
  // The grant records go to Firestore (bench/sections/45-grants.ts counts them).
  const emulator = await startFirestoreEmulator();
  try {
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: PROJECT,
      RESOURCE_SCOPE: 'organizations/1',
      RESOURCE_CATALOG: catalog,
      FIRESTORE_EMULATOR_HOST: emulator.host,
      ...fakeEndpoints(fake),
    });
    const silent = makeLogger(() => {});
    const selfActivation = await makeServices(config, silent).selfActivation();
    const activations = await selfActivation.activate(USER, {
      project: PROJECT,
      entitlements: ROLES.map(r => parseEntitlementRef(r)),
      justification: 'bench',
      durationMinutes: 5,
    });
    if (activations.length !== ROLES.length) {
      throw new Error(
        `${catalog}: the self-activation did not activate 5 roles`,
      );
    }
    const calls = fake.calls();
    const count = (name: string) => calls.filter(c => c.name === name).length;
    const byMethod = new Map<string, number>();
    for (const c of calls) {
      byMethod.set(c.name, (byMethod.get(c.name) ?? 0) + 1);
    }
    const eligibility = [...byMethod]
      .filter(([name]) => name !== GET && name !== SET)
      .map(([name, n]) => `${name.split('.').slice(-1)[0]} ${n}`)
      .join(', ');
    return [
      {
        metric: `self-activate 5 roles, ${catalog}: getIamPolicy + setIamPolicy`,
        value: count(GET) + count(SET),
        unit: 'calls',
        target: 2,
        note: `${count(GET)} get + ${count(SET)} set; upstream 5 + 5`,
      },
      {
        metric: `self-activate 5 roles, ${catalog}: all Google API calls`,
        value: calls.length,
        unit: 'calls',
        note: `eligibility: ${eligibility || 'none'}`,
      },
    ];
  } finally {
    await fake.stop();
    await emulator.stop();
  }
}

export const section: BenchSection = {
  title: 'Self-activation: Google API calls',
  async run(): Promise<BenchRow[]> {
    return [
      ...(await measure('AssetInventory')),
      ...(await measure('PolicyAnalyzer')),
    ];
  },
};

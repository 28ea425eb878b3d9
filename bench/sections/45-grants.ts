/**
 * The grant ledger's cost (docs/grants.md): Google and Firestore calls per
 * self-activation of 5 roles and per revoke, and one reconciliation run over
 * 200 projects with 1,000 live grants (calls, policy writes, wall time),
 * against the fake Google Cloud and Firestore's emulator (Google's JAR where
 * present), with the real catalog, activator, stores and use cases.
 *
 * Targets: self-activation 1 IAM read + 1 write + at most 2 Firestore writes;
 * revoke 1 + 1 + 1 Firestore write; reconciliation at most 1 policy read per
 * project and no write when nothing changed.
 */
import {performance} from 'perf_hooks';
import {activationBinding} from '../../shared/activation/policy-edit';
import {makeActivator} from '../../shared/activation/activator';
import {makeSelfActivation} from '../../shared/activation/self-activation';
import {loadConfig} from '../../shared/config';
import {makeEligibilityService} from '../../shared/eligibility';
import {parseEntitlementRef} from '../../shared/eligibility/entitlement-ref';
import {makeAssetInventoryClient} from '../../shared/google/asset';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreGrantStore} from '../../shared/google/firestore-grants';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeProjectIamClient} from '../../shared/google/resource-manager';
import {makeAuditorCheck} from '../../shared/grants/auditors';
import {activated, newGrant, newGrantId} from '../../shared/grants/ledger';
import {makeReconciler} from '../../shared/grants/reconcile';
import {makeGrantService} from '../../shared/grants/service';
import type {Grant} from '../../shared/grants/types';
import {makeLogger} from '../../shared/log';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type World,
  type WorldBinding,
} from '../../sandbox/fake-gcp';
import {startFirestoreEmulator} from '../../sandbox/firestore-emulator';
import type {BenchRow, BenchSection} from '../lib/section';

const USER = 'alice@example.com';
const ROLES = ['a', 'b', 'c', 'd', 'e'].map(r => `roles/bench.${r}`);
const PROJECTS = Array.from(
  {length: 200},
  (_, i) => `bench-grants-${String(i).padStart(3, '0')}`,
);
const GRANTS_PER_PROJECT = 5;
const GET = 'cloudresourcemanager.projects.getIamPolicy';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

function world(): World {
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: [{email: USER}],
    groups: [{email: 'admins@example.com', members: [USER]}],
    identityPremium: true,
    projects: PROJECTS.map((projectId, i) => ({
      projectId,
      projectNumber: String(9100 + i),
      parent: 'organizations/1',
    })),
    policies: Object.fromEntries(
      PROJECTS.map(p => [
        `projects/${p}`,
        {
          bindings: ROLES.map(role => ({
            role,
            members: ['group:admins@example.com'],
            condition: {
              title: 'JIT',
              expression: 'has({}.jitAccessConstraint)',
            },
          })),
        },
      ]),
    ),
  };
}

/** An ACTIVE record of a binding written `minutesAgo` for `minutes`. */
function liveGrant(project: string, role: string, user: string): Grant {
  const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const end = new Date(start.getTime() + 60 * 60_000);
  const g = newGrant(
    {
      user,
      project,
      role,
      start,
      end,
      justification: 'bench',
      origin: 'self',
      approvers: [],
      binding: activationBinding(
        user,
        {role, start, end},
        'Self-approved, justification: bench',
      ),
    },
    newGrantId(),
    start,
    user,
  );
  return activated(g, start);
}

function bindingOf(g: Grant): WorldBinding {
  return {
    role: g.binding.role,
    members: [g.binding.member],
    condition: {
      title: g.binding.title,
      expression: g.binding.expression,
      description: g.binding.description,
    },
  };
}

export const section: BenchSection = {
  title: 'Grant ledger: calls per activation and revoke, reconciliation',
  async run(): Promise<BenchRow[]> {
    const emulator = await startFirestoreEmulator();
    const fake = await startFakeGoogleCloud(world());
    try {
      const config = loadConfig({
        GOOGLE_CLOUD_PROJECT: 'bench-host',
        RESOURCE_SCOPE: 'organizations/1',
        FIRESTORE_EMULATOR_HOST: emulator.host,
        FIRESTORE_COLLECTION_PREFIX: `bench${Date.now()}_`,
        ...fakeEndpoints(fake),
      });
      const silent = makeLogger(() => {});
      const ops: Record<string, number> = {};
      const firestore = makeFirestore(config);
      const store = makeFirestoreGrantStore({
        firestore,
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
        retentionDays: config.grantRetentionDays,
        onOperation: kind => {
          ops[kind] = (ops[kind] ?? 0) + 1;
        },
      });
      const iam = makeProjectIamClient(config, silent);
      const activator = makeActivator({iam, log: silent});
      const selfActivation = makeSelfActivation({
        eligibility: makeEligibilityService(config.catalog, {
          config,
          assets: makeAssetInventoryClient(config, silent),
          directory: makeDirectoryClient(config, silent),
          log: silent,
        }),
        activator,
        grants: store,
        config,
        log: silent,
      });
      const reset = () => {
        for (const k of Object.keys(ops)) delete ops[k];
        fake.resetLog();
      };
      const count = (name: string) =>
        fake.calls().filter(c => c.name === name).length;
      const firestoreWrites = () => (ops.write ?? 0) + (ops.transaction ?? 0);

      // One self-activation of 5 roles.
      reset();
      const activations = await selfActivation.activate(USER, {
        project: PROJECTS[0]!,
        entitlements: ROLES.map(r => parseEntitlementRef(r)),
        justification: 'bench',
        durationMinutes: 5,
      });
      const activation = {
        get: count(GET),
        set: count(SET),
        writes: firestoreWrites(),
      };

      // One revoke by the holder.
      const grants = makeGrantService({
        store,
        activator,
        auditors: makeAuditorCheck([], undefined),
        log: silent,
      });
      reset();
      await grants.revoke(USER, activations[0]!.grantId);
      const revoke = {
        get: count(GET),
        set: count(SET),
        writes: firestoreWrites(),
        reads: ops.read ?? 0,
      };

      // 1,000 live grants over 200 projects, their bindings in the policies.
      const live = PROJECTS.flatMap((p, i) =>
        Array.from({length: GRANTS_PER_PROJECT}, (_, j) =>
          liveGrant(p, ROLES[j]!, `user${i}-${j}@example.com`),
        ),
      );
      for (let i = 0; i < live.length; i += 500) {
        await store.createAll(live.slice(i, i + 500));
      }
      for (const g of live) {
        const policy = fake.world.policies![`projects/${g.project}`]!;
        policy.bindings = [...(policy.bindings ?? []), bindingOf(g)];
      }
      const reconciler = makeReconciler({grants: store, iam, log: silent});
      const run = async () => {
        reset();
        const t0 = performance.now();
        const summary = await reconciler.run();
        return {
          summary,
          ms: Math.round(performance.now() - t0),
          get: count(GET),
          set: count(SET),
        };
      };
      const quiet = await run();
      // 20 projects now hold an expired activation binding: 20 writes.
      for (const p of PROJECTS.slice(0, 20)) {
        const stale = liveGrant(p, ROLES[0]!, 'gone@example.com');
        const policy = fake.world.policies![`projects/${p}`]!;
        policy.bindings = [
          ...(policy.bindings ?? []),
          {
            ...bindingOf(stale),
            condition: {
              ...bindingOf(stale).condition!,
              expression:
                '(request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2020-01-01T01:00:00Z"))',
            },
          },
        ];
      }
      const purge = await run();
      await firestore.terminate();
      const note = `${emulator.kind} emulator`;
      const projectsNote = (r: typeof quiet) =>
        `${r.summary.projectsRead} projects, ${live.length} live grants; ${r.get} reads, ${r.set} writes, ${r.summary.bindingsPurged} purged`;
      return [
        {
          metric: 'self-activate 5 roles: IAM reads + writes',
          value: activation.get + activation.set,
          unit: 'calls',
          target: 2,
          note: `${activation.get} get + ${activation.set} set`,
        },
        {
          metric: 'self-activate 5 roles: Firestore writes',
          value: activation.writes,
          unit: 'writes',
          target: 2,
          note: `batches (ACTIVATING, then ACTIVE); ${note}`,
        },
        {
          metric: 'revoke: IAM reads + writes',
          value: revoke.get + revoke.set,
          unit: 'calls',
          target: 2,
          note: `${revoke.get} get + ${revoke.set} set`,
        },
        {
          metric: 'revoke: Firestore writes',
          value: revoke.writes,
          unit: 'writes',
          target: 1,
          note: `one transaction; plus ${revoke.reads} read of the record`,
        },
        {
          metric: 'reconcile 200 projects, nothing changed: policy reads',
          value: quiet.get,
          unit: 'calls',
          target: PROJECTS.length,
          note: projectsNote(quiet),
        },
        {
          metric: 'reconcile 200 projects, nothing changed: policy writes',
          value: quiet.set,
          unit: 'calls',
          target: 0,
          note: `${quiet.ms} ms wall time`,
        },
        {
          metric: 'reconcile 200 projects, nothing changed: wall time',
          value: quiet.ms,
          unit: 'ms',
          note: `8 projects at a time; ${note}`,
        },
        {
          metric:
            'reconcile 200 projects, 20 with an expired binding: policy writes',
          value: purge.set,
          unit: 'calls',
          target: 20,
          note: `${projectsNote(purge)}; ${purge.ms} ms`,
        },
      ];
    } finally {
      await fake.stop();
      await emulator.stop();
    }
  },
};

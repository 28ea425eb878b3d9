/**
 * Multi-party approval: Firestore operations and Google API
 * calls per approval that completes the count, and the median server-side
 * time of one approval (the approval service call: eligibility re-checks,
 * two transactions, the IAM read and write), against Firestore's emulator
 * (Google's JAR where present) and the fake Google Cloud, with the real
 * catalog, activator and store. Mail is left out (a notifier that does
 * nothing): SMTP time is the mail server's, not ours.
 *
 * Target: 2 transactions; the eligibility calls; 1 getIamPolicy; 1 setIamPolicy.
 */
import {performance} from 'perf_hooks';
import {makeActivator} from '../shared/activation/activator';
import {makeEligibilityService} from '../shared/eligibility';
import {makeAssetInventoryClient} from '../shared/google/asset';
import {makeDirectoryClient} from '../shared/google/identity';
import {makeProjectIamClient} from '../shared/google/resource-manager';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type World,
} from '../sandbox/fake-gcp';
import {startFirestoreEmulator} from '../sandbox/firestore-emulator';
import {makeApprovalService} from '../shared/approvals/service';
import {loadConfig} from '../shared/config';
import {makeFirestore} from '../shared/google/firestore';
import {makeFirestoreGrantStore} from '../shared/google/firestore-grants';
import {makeFirestoreRequestStore} from '../shared/google/firestore-requests';
import {makeLogger} from '../shared/log';
import type {BenchRow, BenchSection} from './lib/section';
import {median} from './lib/stats';

const PROJECT = 'bench-approvals';
const ROLE = 'roles/bench.approved';
const REQUESTER = 'alice@example.com';
const REVIEWER = 'bob@example.com';
const RUNS = 15;
const GET = 'cloudresourcemanager.projects.getIamPolicy';
const SET = 'cloudresourcemanager.projects.setIamPolicy';

function world(): World {
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: [{email: REQUESTER}, {email: REVIEWER}],
    groups: [{email: 'approvers@example.com', members: [REQUESTER, REVIEWER]}],
    identityPremium: true,
    projects: [
      {projectId: PROJECT, projectNumber: '9002', parent: 'organizations/1'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        bindings: [
          {
            role: ROLE,
            members: ['group:approvers@example.com'],
            condition: {
              title: 'MPA',
              expression: 'has({}.multiPartyApprovalConstraint)',
            },
          },
        ],
      },
    },
  };
}

export const approvalsSection: BenchSection = {
  title: 'Multi-party approval',
  async run(): Promise<BenchRow[]> {
    const emulator = await startFirestoreEmulator();
    const fake = await startFakeGoogleCloud(world());
    try {
      const config = loadConfig({
        GOOGLE_CLOUD_PROJECT: PROJECT,
        RESOURCE_SCOPE: 'organizations/1',
        FIRESTORE_EMULATOR_HOST: emulator.host,
        FIRESTORE_COLLECTION_PREFIX: `bench${Date.now()}_`,
        ...fakeEndpoints(fake),
      });
      const silent = makeLogger(() => {});
      const ops: Record<string, number> = {};
      const firestore = makeFirestore(config);
      const store = makeFirestoreRequestStore({
        firestore,
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
        onOperation: kind => {
          ops[kind] = (ops[kind] ?? 0) + 1;
        },
      });
      const approvals = makeApprovalService({
        config,
        store,
        grants: makeFirestoreGrantStore({
          firestore,
          collectionPrefix: config.firestore.collectionPrefix,
          database: config.firestore.database,
          retentionDays: config.grantRetentionDays,
          onOperation: kind => {
            ops[kind] = (ops[kind] ?? 0) + 1;
          },
        }),
        eligibility: makeEligibilityService(config.catalog, {
          config,
          assets: makeAssetInventoryClient(config, silent),
          directory: makeDirectoryClient(config, silent),
          log: silent,
        }),
        activator: makeActivator({
          iam: makeProjectIamClient(config, silent),
          log: silent,
        }),
        notifier: {notify: async () => ({delivered: true})},
        log: silent,
      });
      const times: number[] = [];
      let calls: Record<string, number> = {};
      let firestoreOps: Record<string, number> = {};
      for (let i = 0; i < RUNS + 1; i++) {
        const request = await approvals.create(REQUESTER, {
          project: PROJECT,
          entitlement: {role: ROLE, byRoleOnly: true},
          justification: 'bench',
          durationMinutes: 5,
          reviewers: [REVIEWER],
        });
        for (const k of Object.keys(ops)) delete ops[k];
        const before = fake.requests.length;
        const t0 = performance.now();
        const approved = await approvals.approve(REVIEWER, request.id);
        const elapsed = performance.now() - t0;
        if (approved.state !== 'ACTIVE') {
          throw new Error(
            `approval ended ${approved.state}: ${approved.error}`,
          );
        }
        // The first run warms channels and caches; it is not counted.
        if (i === 0) continue;
        times.push(elapsed);
        calls = {};
        for (const r of fake.requests.slice(before)) {
          calls[r.name] = (calls[r.name] ?? 0) + 1;
        }
        firestoreOps = {...ops};
      }
      await firestore.terminate();
      const eligibilityCalls = Object.entries(calls)
        .filter(([name]) => name !== GET && name !== SET)
        .reduce((n, [, c]) => n + c, 0);
      const note = `${RUNS} approvals, ${emulator.kind} emulator`;
      return [
        {
          metric: 'Firestore transactions per approval',
          value: firestoreOps.transaction ?? 0,
          unit: 'tx',
          target: 2,
          note,
        },
        {
          metric: 'Firestore reads outside transactions',
          value: firestoreOps.read ?? 0,
          unit: 'reads',
          note: 'the visibility and eligibility pre-check',
        },
        {
          metric: 'IAM getIamPolicy per approval',
          value: calls[GET] ?? 0,
          unit: 'calls',
          target: 1,
          note,
        },
        {
          metric: 'IAM setIamPolicy per approval',
          value: calls[SET] ?? 0,
          unit: 'calls',
          target: 1,
          note,
        },
        {
          metric: 'eligibility API calls per approval',
          value: eligibilityCalls,
          unit: 'calls',
          note: Object.entries(calls)
            .filter(([name]) => name !== GET && name !== SET)
            .map(([name, c]) => `${name} ×${c}`)
            .join(', '),
        },
        {
          metric: 'approval, median server-side time',
          value: Math.round(median(times)),
          unit: 'ms',
          note,
        },
      ];
    } finally {
      await fake.stop();
      await emulator.stop();
    }
  },
};

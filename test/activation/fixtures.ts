/**
 * Shared set-up for activation tests: a fake Google Cloud holding one project,
 * and an in-memory EligibilityService for tests where eligibility is not the
 * point (it answers the same entitlements for every user).
 */
import type {World} from '../../sandbox/fake-gcp';
import type {
  EligibilityService,
  Entitlement,
} from '../../shared/eligibility/types';
import {NotFoundError} from '../../shared/errors';

export const PROJECT = 'alpha-project';

export const OWNER_BINDING = {
  role: 'roles/owner',
  members: ['user:root@example.com'],
};
export const AUDIT_CONFIGS = [
  {service: 'allServices', auditLogConfigs: [{logType: 'DATA_READ'}]},
];

export function activationWorld(): World {
  return {
    organization: {name: 'organizations/1001', domain: 'example.com'},
    domains: ['example.com'],
    projects: [
      {projectId: PROJECT, projectNumber: '3001', parent: 'organizations/1001'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        version: 1,
        bindings: [structuredClone(OWNER_BINDING)],
        auditConfigs: structuredClone(AUDIT_CONFIGS),
      },
    },
  };
}

export const ENTITLEMENTS: Entitlement[] = [
  ...['a', 'b', 'c', 'd', 'e', 'browser'].map((r): Entitlement => ({
    role: `roles/${r}`,
    activationType: 'JIT',
    status: 'ELIGIBLE',
  })),
  {
    role: 'roles/storage.admin',
    resourceCondition: 'resource.name.startsWith("projects/_/buckets/logs")',
    activationType: 'JIT',
    status: 'ELIGIBLE',
  },
  {
    role: 'roles/storage.admin',
    resourceCondition: 'resource.name == "x"',
    activationType: 'MPA',
    status: 'ELIGIBLE',
  },
  {role: 'roles/compute.admin', activationType: 'MPA', status: 'ELIGIBLE'},
];

/** Everyone has ENTITLEMENTS on PROJECT; other projects are unknown. */
export function memoryEligibility(): EligibilityService & {asked: number} {
  const service = {
    asked: 0,
    async listProjects() {
      return [PROJECT];
    },
    async listEntitlements(_user: string, project: string) {
      service.asked++;
      if (project !== PROJECT) {
        throw new NotFoundError(`Project ${project} was not found`);
      }
      return {entitlements: structuredClone(ENTITLEMENTS), warnings: []};
    },
    async listPeers() {
      return [];
    },
    async isReviewer() {
      return false;
    },
  };
  return service;
}

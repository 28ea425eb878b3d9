/**
 * Shared set-up for activation tests: a fake Google Cloud holding one project,
 * and the in-memory eligibility for tests where eligibility is not the point
 * (it answers the same entitlements for every user).
 */
import type {World} from '../../sandbox/fake-gcp';
import type {Entitlement} from '../../shared/eligibility/types';
import {EVERYONE, MemoryEligibility} from '../support/memory-eligibility';

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
export function memoryEligibility(): MemoryEligibility {
  return new MemoryEligibility(
    ENTITLEMENTS.map(e => ({
      project: PROJECT,
      user: EVERYONE,
      type: e.activationType,
      role: e.role,
      ...(e.resourceCondition === undefined
        ? {}
        : {resourceCondition: e.resourceCondition}),
    })),
  );
}

/**
 * A small organisation for adapter tests: nested folders, projects under
 * each level, nested (and cyclic) groups, policies at every level.
 */
import type {World} from '../../sandbox/fake-gcp';

export const ORG = 'organizations/1001';

export function testWorld(): World {
  return {
    organization: {
      name: ORG,
      displayName: 'example.com',
      domain: 'example.com',
    },
    domains: ['example.com'],
    folders: [
      {name: 'folders/2001', parent: ORG, displayName: 'Engineering'},
      {name: 'folders/2002', parent: 'folders/2001', displayName: 'Team A'},
    ],
    projects: [
      {
        projectId: 'alpha-project',
        projectNumber: '3001',
        parent: 'folders/2002',
      },
      {
        projectId: 'beta-project',
        projectNumber: '3002',
        parent: 'folders/2001',
      },
      {projectId: 'gamma-project', projectNumber: '3003', parent: ORG},
      {
        projectId: 'old-project',
        projectNumber: '3004',
        parent: ORG,
        state: 'DELETE_REQUESTED',
      },
    ],
    users: [
      {email: 'alice@example.com'},
      {email: 'bob@example.com'},
      {email: 'carol@example.com'},
      {email: 'dave@example.com'},
    ],
    groups: [
      {
        email: 'admins@example.com',
        members: ['bob@example.com', 'ops@example.com'],
      },
      {
        email: 'ops@example.com',
        members: ['alice@example.com', 'loop@example.com'],
      },
      // A cycle: loop contains ops, which contains loop.
      {
        email: 'loop@example.com',
        members: ['ops@example.com', 'carol@example.com'],
      },
      {email: 'empty@example.com', members: []},
    ],
    policies: {
      [ORG]: {
        bindings: [{role: 'roles/viewer', members: ['domain:example.com']}],
      },
      'folders/2001': {
        bindings: [
          {
            role: 'roles/compute.admin',
            members: ['group:admins@example.com'],
            condition: {
              title: 'JIT',
              expression: 'has({}.jitAccessConstraint)',
            },
          },
        ],
      },
      'projects/alpha-project': {
        version: 3,
        bindings: [
          {role: 'roles/owner', members: ['user:dave@example.com']},
          {
            role: 'roles/storage.admin',
            members: ['user:alice@example.com'],
            condition: {
              title: 'MPA',
              expression: 'has({}.multiPartyApprovalConstraint)',
            },
          },
        ],
        auditConfigs: [
          {service: 'allServices', auditLogConfigs: [{logType: 'DATA_READ'}]},
        ],
      },
    },
    backendServices: [
      {project: 'alpha-project', name: 'jit-web', id: '7001'},
      {
        project: 'alpha-project',
        name: 'jit-web',
        id: '7002',
        region: 'europe-west1',
      },
    ],
    metadata: {
      projectId: 'alpha-project',
      projectNumber: '3001',
      region: 'europe-west1',
    },
    secrets: {
      'projects/alpha-project/secrets/smtp/versions/latest': 's3cret-påss',
    },
    identityPremium: true,
  };
}

/**
 * The world of the proof runs: one organization, one project, USERS users in
 * one group. The group is eligible for one role by self-activation (JIT) and
 * for another by peer approval (MPA), so every user can self-activate,
 * request, and approve the others' requests.
 */
import type {World} from '../../sandbox/fake-gcp';

export const PROOF_PROJECT = 'proof-project';
export const JIT_ROLE = 'roles/proof.selfActivated';
export const MPA_ROLE = 'roles/proof.peerApproved';
const GROUP = 'proof-team@example.com';

/** `user007@example.com`. */
export function userEmail(i: number): string {
  return `user${String(i).padStart(3, '0')}@example.com`;
}

export function proofWorld(users: number): World {
  const emails = Array.from({length: users}, (_, i) => userEmail(i));
  return {
    organization: {name: 'organizations/1', domain: 'example.com'},
    domains: ['example.com'],
    users: emails.map(email => ({email})),
    groups: [{email: GROUP, members: emails}],
    identityPremium: true,
    projects: [
      {
        projectId: PROOF_PROJECT,
        projectNumber: '9100',
        parent: 'organizations/1',
      },
    ],
    policies: {
      [`projects/${PROOF_PROJECT}`]: {
        version: 3,
        etag: 'BwYAAAAAAAE=',
        bindings: [
          {
            role: JIT_ROLE,
            members: [`group:${GROUP}`],
            condition: {
              title: 'JIT',
              expression: 'has({}.jitAccessConstraint)',
            },
          },
          {
            role: MPA_ROLE,
            members: [`group:${GROUP}`],
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

import {makeMemoryLogger} from '../log';
import {AbortedError, InvalidArgumentError, UnavailableError} from '../errors';
import type {IamPolicy} from '../ports';
import {MemoryIam} from '../../test/activation/memory-iam';
import {makeActivator} from './activator';
import type {ActivationGrant} from './types';

const start = new Date('2040-01-01T00:00:00Z');
const end = new Date('2040-01-01T01:00:00Z');
const grant = (role: string): ActivationGrant => ({role, start, end});

function setup(options: {sleeps?: number[]} = {}) {
  const iam = new MemoryIam();
  iam.seed('p1', {
    version: 3,
    bindings: [{role: 'roles/owner', members: ['user:root@example.com']}],
    auditConfigs: [{service: 'allServices'}],
  });
  const {logger, entries} = makeMemoryLogger();
  const sleeps = options.sleeps ?? [];
  const activator = makeActivator({
    iam,
    log: logger,
    random: () => 0.5,
    sleep: async ms => {
      sleeps.push(ms);
    },
  });
  return {iam, activator, entries, sleeps};
}

const roles = (policy: IamPolicy | undefined, member: string) =>
  (policy?.bindings ?? [])
    .filter(b => b.members.includes(member))
    .map(b => b.role)
    .sort();

describe('makeActivator', () => {
  it('activates 5 roles with one read and one write', async () => {
    const {iam, activator} = setup();
    const five = ['a', 'b', 'c', 'd', 'e'].map(r => grant(`roles/${r}`));
    await activator.activate(
      'p1',
      'Alice@example.com',
      five,
      'Self-approved, justification: x',
    );
    expect(iam.calls).toEqual({get: 1, set: 1});
    expect(roles(iam.policies.get('p1'), 'user:alice@example.com')).toEqual(
      five.map(g => g.role),
    );
    expect(iam.policies.get('p1')?.auditConfigs).toEqual([
      {service: 'allServices'},
    ]);
    expect(iam.reasons).toEqual(['Self-approved, justification: x']);
  });

  it('merges concurrent calls on one project and keeps every activation', async () => {
    const {iam, activator} = setup();
    iam.latencyMs = 20;
    const users = Array.from({length: 20}, (_, i) => `user${i}@example.com`);
    await Promise.all(
      users.map(u =>
        activator.activate('p1', u, [grant('roles/browser')], `by ${u}`),
      ),
    );
    for (const u of users) {
      expect(roles(iam.policies.get('p1'), `user:${u}`)).toEqual([
        'roles/browser',
      ]);
    }
    // The first call writes alone; the 19 that queued behind it share one write.
    expect(iam.calls).toEqual({get: 2, set: 2});
    expect(iam.reasons[1]?.split('; ')).toHaveLength(19);
  });

  it('does not hold one project back for another', async () => {
    const {iam, activator} = setup();
    iam.seed('p2', {bindings: []});
    await Promise.all([
      activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd'),
      activator.activate('p2', 'a@example.com', [grant('roles/y')], 'd'),
    ]);
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([
      'roles/x',
    ]);
    expect(roles(iam.policies.get('p2'), 'user:a@example.com')).toEqual([
      'roles/y',
    ]);
    expect(iam.calls).toEqual({get: 2, set: 2});
  });

  it("re-reads and re-applies after a conflict, keeping the other writer's change", async () => {
    const {iam, activator, sleeps} = setup();
    let raced = false;
    iam.beforeSet = projectId => {
      if (raced) return;
      raced = true;
      // Another instance writes between our read and our write.
      const current = iam.policies.get(projectId)!;
      iam.policies.set(projectId, {
        ...current,
        etag: 'other-writer',
        bindings: [
          ...(current.bindings ?? []),
          {role: 'roles/viewer', members: ['user:bob@example.com']},
        ],
      });
    };
    await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
    expect(iam.calls).toEqual({get: 2, set: 2});
    expect(roles(iam.policies.get('p1'), 'user:bob@example.com')).toEqual([
      'roles/viewer',
    ]);
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([
      'roles/x',
    ]);
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after 6 conflicting attempts with 409 ABORTED', async () => {
    const {iam, activator, sleeps, entries} = setup();
    iam.conflicts = 6;
    const outcome = activator.activate(
      'p1',
      'a@example.com',
      [grant('roles/x')],
      'd',
    );
    await expect(outcome).rejects.toThrow(AbortedError);
    await expect(outcome).rejects.toThrow(/concurrent modifications/);
    expect(iam.calls).toEqual({get: 6, set: 6});
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([]);
    // Jittered exponential back-off between attempts: half the bound plus a random half.
    expect(sleeps).toEqual([75, 150, 300, 600, 1200]);
    expect(
      entries().some(e => JSON.stringify(e).includes('activation.conflict')),
    ).toBe(true);
  });

  it('succeeds on the sixth attempt', async () => {
    const {iam, activator} = setup();
    iam.conflicts = 5;
    await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
    expect(iam.calls).toEqual({get: 6, set: 6});
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([
      'roles/x',
    ]);
  });

  it('does not retry what is not a conflict', async () => {
    const {iam, activator} = setup();
    iam.getIamPolicy = async () => {
      iam.calls.get++;
      throw new UnavailableError('down');
    };
    await expect(
      activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd'),
    ).rejects.toThrow(UnavailableError);
    expect(iam.calls).toEqual({get: 1, set: 0});
  });

  it('fails only the caller whose part IAM refuses in a merged write', async () => {
    const {iam, activator} = setup();
    iam.latencyMs = 10;
    iam.refuse = p => (p.bindings ?? []).some(b => b.role === 'roles/bad');
    const first = activator.activate(
      'p1',
      'a@example.com',
      [grant('roles/x')],
      'd',
    );
    const outcomes = await Promise.allSettled([
      first,
      activator.activate('p1', 'b@example.com', [grant('roles/bad')], 'd'),
      activator.activate('p1', 'c@example.com', [grant('roles/y')], 'd'),
    ]);
    expect(outcomes.map(o => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(roles(iam.policies.get('p1'), 'user:c@example.com')).toEqual([
      'roles/y',
    ]);
  });

  it('lets a later call on the project run after a failed one', async () => {
    const {iam, activator} = setup();
    iam.conflicts = 6;
    await expect(
      activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd'),
    ).rejects.toThrow();
    await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([
      'roles/x',
    ]);
  });
});

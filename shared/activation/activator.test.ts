import {makeMemoryLogger} from '../log';
import {
  AbortedError,
  InvalidArgumentError,
  PolicyLimitError,
  UnavailableError,
} from '../errors';
import type {IamPolicy} from '../ports';
import {MemoryIam} from '../../test/activation/memory-iam';
import {DEFAULT_RETRY_POLICY} from '../google/edge';
import {ACTIVATION_WRITE_BUDGET_MS, makeActivator} from './activator';
import type {ActivationGrant} from './types';

const start = new Date('2040-01-01T00:00:00Z');
const end = new Date('2040-01-01T01:00:00Z');
const grant = (role: string): ActivationGrant => ({role, start, end});

function setup(
  options: {sleeps?: number[]; clock?: {ms: number}; budgetMs?: number} = {},
) {
  const iam = new MemoryIam();
  iam.seed('p1', {
    version: 3,
    bindings: [{role: 'roles/owner', members: ['user:root@example.com']}],
    auditConfigs: [{service: 'allServices'}],
  });
  const {logger, entries} = makeMemoryLogger();
  const sleeps = options.sleeps ?? [];
  const clock = options.clock;
  const activator = makeActivator({
    iam,
    log: logger,
    random: () => 0.5,
    budgetMs: options.budgetMs,
    ...(clock ? {now: () => new Date(clock.ms)} : {}),
    sleep: async ms => {
      sleeps.push(ms);
      if (clock) clock.ms += ms;
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

  it('counts a write whose answer was lost as done when a re-read shows it', async () => {
    const {iam, activator} = setup();
    iam.lostAnswers = 1;
    await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
    expect(iam.calls).toEqual({get: 2, set: 1});
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([
      'roles/x',
    ]);
  });

  it('fails a write that went unanswered and is not in the policy', async () => {
    const {iam, activator} = setup();
    const set = iam.setIamPolicy.bind(iam);
    let failed = false;
    iam.setIamPolicy = async (...args) => {
      if (!failed) {
        failed = true;
        iam.calls.set++;
        throw new UnavailableError('no answer');
      }
      return set(...args);
    };
    await expect(
      activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd'),
    ).rejects.toThrow(UnavailableError);
    expect(iam.calls).toEqual({get: 2, set: 1});
    expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([]);
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

  describe("IAM's principal limit", () => {
    /** p1 with `n` principals besides root's owner binding. */
    function crowded(n: number) {
      const s = setup();
      s.iam.seed('p1', {
        version: 3,
        bindings: [
          {role: 'roles/owner', members: ['user:root@example.com']},
          {
            role: 'roles/viewer',
            members: Array.from(
              {length: n},
              (_, i) => `user:u${i}@example.com`,
            ),
          },
        ],
      });
      return s;
    }

    it('refuses a write over 1,500 principals with 409 naming the limit and the project, and writes nothing', async () => {
      const {iam, activator} = crowded(1499);
      const err = await activator
        .activate('p1', 'a@example.com', [grant('roles/x')], 'd')
        .catch(e => e);
      expect(err).toBeInstanceOf(PolicyLimitError);
      expect(err.httpStatus).toBe(409);
      expect(err.message).toMatch(
        /project p1: .*1501 principals.*limit of 1500.*projects\/p1/s,
      );
      expect(iam.calls).toEqual({get: 1, set: 0});
    });

    it('writes up to 1,500 exactly, and warns from 80 % on', async () => {
      const {iam, activator, entries} = crowded(1498);
      await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
      expect(iam.calls.set).toBe(1);
      expect(entries()).toContainEqual(
        expect.objectContaining({
          principals: 1500,
          'logging.googleapis.com/labels': expect.objectContaining({
            event: 'activation.policyBudget',
          }),
        }),
      );
    });

    it('frees room by purging expired activations in the same write', async () => {
      const {iam, activator} = crowded(1400);
      const expired = Array.from({length: 150}, (_, i) => ({
        role: 'roles/browser',
        members: [`user:old${i}@example.com`],
        condition: {
          title: 'JIT access activation',
          expression: `(request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2020-01-01T0${i % 10}:30:00Z"))`,
        },
      }));
      const seeded = iam.policies.get('p1')!;
      iam.seed('p1', {...seeded, bindings: [...seeded.bindings!, ...expired]});
      await activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd');
      const written = iam.policies.get('p1')!;
      expect(written.bindings!.some(b => b.role === 'roles/browser')).toBe(
        false,
      );
      expect(roles(written, 'user:a@example.com')).toEqual(['roles/x']);
    });

    it('fails only the caller who would take a merged write over the limit', async () => {
      const {iam, activator} = crowded(1497);
      iam.latencyMs = 10;
      const first = activator.activate(
        'p1',
        'a@example.com',
        [grant('roles/x')],
        'd',
      );
      const outcomes = await Promise.allSettled([
        first,
        activator.activate('p1', 'b@example.com', [grant('roles/y')], 'd'),
        activator.activate('p1', 'c@example.com', [grant('roles/z')], 'd'),
      ]);
      expect(outcomes.map(o => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
      ]);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(
        PolicyLimitError,
      );
    });
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

  describe('overall budget', () => {
    const inTime = /could not be written in time/;

    it('is 75 s by default, so that the last write ends before an APPROVED record reads as FAILED', () => {
      // The adapter's own deadline (30 s) on top of the last write's start.
      expect(ACTIVATION_WRITE_BUDGET_MS).toBe(75_000);
      expect(
        ACTIVATION_WRITE_BUDGET_MS + DEFAULT_RETRY_POLICY.deadlineMs,
      ).toBeLessThan(120_000);
    });

    it('stops retrying conflicts once the budget is spent, without another write', async () => {
      const clock = {ms: 0};
      const {iam, activator, entries} = setup({clock});
      iam.conflicts = 6;
      // Each conflicting write takes 30 s, as slow as the adapter allows.
      iam.beforeSet = () => {
        clock.ms += 30_000;
      };
      const outcome = activator.activate(
        'p1',
        'a@example.com',
        [grant('roles/x')],
        'd',
      );
      await expect(outcome).rejects.toThrow(UnavailableError);
      await expect(outcome).rejects.toThrow(inTime);
      // Writes start at about 0 s, 30 s and 60 s; the fourth would start past 75 s.
      expect(iam.calls).toEqual({get: 3, set: 3});
      expect(roles(iam.policies.get('p1'), 'user:a@example.com')).toEqual([]);
      expect(
        entries().some(e => JSON.stringify(e).includes('activation.deadline')),
      ).toBe(true);
    });

    it('counts the queue wait, and fails only the merged caller past its budget', async () => {
      const clock = {ms: 0};
      const {iam, activator} = setup({clock});
      let first = true;
      // The first write is slow: it ends at 78 s.
      iam.beforeSet = () => {
        if (first) clock.ms = 78_000;
        first = false;
      };
      const a = activator.activate(
        'p1',
        'a@example.com',
        [grant('roles/a')],
        'by a',
      );
      // Called at 0 s and at 10 s, both wait for a's write.
      const b = activator.activate(
        'p1',
        'b@example.com',
        [grant('roles/b')],
        'by b',
      );
      clock.ms = 10_000;
      const c = activator.activate(
        'p1',
        'c@example.com',
        [grant('roles/c')],
        'by c',
      );
      const outcomes = await Promise.allSettled([a, b, c]);
      expect(outcomes.map(o => o.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const reason = (outcomes[1] as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(UnavailableError);
      expect(reason.message).toBe(
        'The IAM policy could not be written in time; try again',
      );
      const policy = iam.policies.get('p1');
      expect(roles(policy, 'user:a@example.com')).toEqual(['roles/a']);
      expect(roles(policy, 'user:b@example.com')).toEqual([]);
      expect(roles(policy, 'user:c@example.com')).toEqual(['roles/c']);
      expect(iam.calls).toEqual({get: 2, set: 2});
      expect(iam.reasons).toEqual(['by a', 'by c']);
    });

    it('does not start a write when the budget ran out during the read', async () => {
      const clock = {ms: 0};
      const {iam, activator} = setup({clock, budgetMs: 1_000});
      const read = iam.getIamPolicy.bind(iam);
      iam.getIamPolicy = async projectId => {
        clock.ms += 1_000;
        return read(projectId);
      };
      await expect(
        activator.activate('p1', 'a@example.com', [grant('roles/x')], 'd'),
      ).rejects.toThrow(inTime);
      expect(iam.calls).toEqual({get: 1, set: 0});
    });

    it('checks the budget again when a merged write is refused and retried one by one', async () => {
      const clock = {ms: 0};
      const {iam, activator} = setup({clock});
      iam.refuse = p => (p.bindings ?? []).some(b => b.role === 'roles/bad');
      let sets = 0;
      // The first write runs alone; the refused merged write takes 80 s.
      iam.beforeSet = () => {
        if (++sets === 2) clock.ms += 80_000;
      };
      const first = activator.activate(
        'p1',
        'a@example.com',
        [grant('roles/x')],
        'd',
      );
      const later = [
        activator.activate('p1', 'b@example.com', [grant('roles/bad')], 'd'),
        activator.activate('p1', 'c@example.com', [grant('roles/y')], 'd'),
      ];
      const outcomes = await Promise.allSettled([first, ...later]);
      expect(outcomes[0]?.status).toBe('fulfilled');
      for (const o of outcomes.slice(1)) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(
          UnavailableError,
        );
      }
      // No one-by-one write started past the budget.
      expect(iam.calls).toEqual({get: 2, set: 2});
      expect(roles(iam.policies.get('p1'), 'user:c@example.com')).toEqual([]);
    });
  });
});

/**
 * The fake's random faults (off by default, seeded) and its one-shot hooks,
 * seen on the wire: what the load and crash runs under bench/proof/ rely on.
 */
import type {FakeGoogleCloud} from '../../sandbox/fake-gcp';
import {startFake} from './fake';
import {testWorld} from './world';

let fake: FakeGoogleCloud;

beforeAll(async () => {
  ({fake} = await startFake(testWorld()));
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.world = testWorld();
  fake.setRandomFaults(undefined);
  fake.injected.length = 0;
});

const GET_POLICY = '/v3/projects/alpha-project:getIamPolicy';
const SET_POLICY = '/v3/projects/alpha-project:setIamPolicy';

/**
 * The status of a call, or 0 when the connection closed without an answer or
 * none came within `timeoutMs` (generous: a busy machine is slow, not faulty).
 */
async function call(
  path: string,
  body: unknown = {},
  timeoutMs = 10_000,
): Promise<number> {
  try {
    const res = await fetch(fake.url + path, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

const roles = () =>
  (fake.world.policies?.['projects/alpha-project']?.bindings ?? []).map(
    b => b.role,
  );

/** A setIamPolicy body that adds roles/extra.role to the current policy. */
async function addRoleBody(): Promise<unknown> {
  const res = await fetch(fake.url + GET_POLICY, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({options: {requestedPolicyVersion: 3}}),
  });
  const policy = (await res.json()) as {bindings: unknown[]};
  return {
    policy: {
      ...policy,
      bindings: [
        ...policy.bindings,
        {role: 'roles/extra.role', members: ['user:x@example.com']},
      ],
    },
  };
}

describe('random faults', () => {
  it('injects none unless turned on', async () => {
    const statuses = await Promise.all(
      Array.from({length: 20}, () => call(GET_POLICY)),
    );
    expect(statuses.every(s => s === 200)).toBe(true);
    expect(fake.injected).toHaveLength(0);
  });

  it('answers the error kinds with Google error JSON at the rate set', async () => {
    fake.setRandomFaults({rate: 1, seed: 7, kinds: ['429', '500', '503']});
    const res = await fetch(fake.url + GET_POLICY, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: '{}',
    });
    const body = (await res.json()) as {error: {code: number}};
    expect([429, 500, 503]).toContain(res.status);
    expect(body.error.code).toBe(res.status);
  });

  it('draws the same faults from the same seed', async () => {
    const run = async () => {
      fake.setRandomFaults({rate: 0.5, seed: 42, kinds: ['429', '503']});
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push(await call(GET_POLICY));
      return statuses;
    };
    const first = await run();
    expect(first.filter(s => s !== 200).length).toBeGreaterThan(5);
    expect(first.filter(s => s === 200).length).toBeGreaterThan(5);
    expect(await run()).toEqual(first);
  });

  it('closes the connection unanswered for a drop, before or after applying', async () => {
    const outcomes: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      fake.world = testWorld();
      fake.setRandomFaults(undefined);
      const body = await addRoleBody();
      fake.setRandomFaults({rate: 1, seed: 100 + i, kinds: ['drop']});
      expect(await call(SET_POLICY, body)).toBe(0);
      const last = fake.injected[fake.injected.length - 1]!;
      expect(last.kind).toBe('drop');
      expect(roles().includes('roles/extra.role')).toBe(last.applied);
      outcomes.push(last.applied!);
    }
    // Both sides of the ambiguity occur.
    expect(outcomes).toContain(true);
    expect(outcomes).toContain(false);
  });

  it('holds a timeout until the client gives up', async () => {
    fake.setRandomFaults({rate: 1, seed: 1, kinds: ['timeout']});
    const t0 = Date.now();
    expect(await call(GET_POLICY, {}, 500)).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('refuses a rate outside 0..1', () => {
    expect(() => fake.setRandomFaults({rate: 1.5, seed: 1})).toThrow(
      /fault rate/,
    );
  });
});

describe('hooks', () => {
  it('runs a before hook once; drop applies nothing', async () => {
    const body = await addRoleBody();
    let runs = 0;
    fake.onNext({
      name: 'cloudresourcemanager.projects.setIamPolicy',
      when: 'before',
      run: () => {
        runs++;
        return 'drop';
      },
    });
    expect(await call(SET_POLICY, body)).toBe(0);
    expect(roles()).not.toContain('roles/extra.role');
    expect(await call(SET_POLICY, body)).toBe(200);
    expect(roles()).toContain('roles/extra.role');
    expect(runs).toBe(1);
  });

  it('runs an after hook once the write applied; drop loses the answer only', async () => {
    const body = await addRoleBody();
    let seen: string[] = [];
    fake.onNext({
      name: 'cloudresourcemanager.projects.setIamPolicy',
      when: 'after',
      run: () => {
        seen = roles();
        return 'drop';
      },
    });
    expect(await call(SET_POLICY, body)).toBe(0);
    expect(seen).toContain('roles/extra.role');
    expect(roles()).toContain('roles/extra.role');
  });

  it('only fires on the calls its match accepts', async () => {
    let runs = 0;
    fake.onNext({
      name: 'cloudresourcemanager.projects.getIamPolicy',
      when: 'before',
      match: req => req.params[0] === 'beta-project',
      run: () => {
        runs++;
        return 'continue';
      },
    });
    expect(await call(GET_POLICY)).toBe(200);
    expect(runs).toBe(0);
  });
});

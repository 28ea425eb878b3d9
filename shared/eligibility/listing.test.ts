import {makeMemoryLogger} from '../log';
import {MemoryEligibility} from '../../test/support/memory-eligibility';
import {
  makeEntitlementListing,
  PENDING_LOOKUP_TIMEOUT_MS,
  type PendingRequest,
  type PendingRequestsLookup,
} from './listing';

const PENDING_WARNING =
  'Pending approval requests could not be read; statuses may be out of date';

/** A lookup that answers as `answer` says for each call, counting calls. */
function lookup(answer: (call: number) => Promise<PendingRequest[]>) {
  const calls = {count: 0};
  const pendingRequests: PendingRequestsLookup = () => answer(++calls.count);
  return {calls, pendingRequests};
}

const never = () => new Promise<PendingRequest[]>(() => {});
const down = async (): Promise<PendingRequest[]> => {
  throw new Error('Firestore is down');
};
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Lists the roles after `delayMs`. */
class SlowEligibility extends MemoryEligibility {
  constructor(private readonly delayMs: number) {
    super([
      {project: 'p1', user: 'alice@example.com', role: 'roles/m', type: 'MPA'},
    ]);
  }
  override async listEntitlements(user: string, project: string) {
    await sleep(this.delayMs);
    return super.listEntitlements(user, project);
  }
}

function setup(
  pendingRequests: PendingRequestsLookup,
  timeoutMs = 20,
  eligibilityMs = 0,
) {
  const clock = {ms: 1_000_000};
  const {logger, entries} = makeMemoryLogger();
  const eligibility = new SlowEligibility(eligibilityMs);
  const listing = makeEntitlementListing({
    eligibility,
    pendingRequests,
    log: logger,
    pendingTimeoutMs: timeoutMs,
    now: () => clock.ms,
  });
  const roles = () => listing.listRoles('alice@example.com', 'p1');
  const events = () =>
    entries().map(
      e =>
        `${e.severity} ${
          (e['logging.googleapis.com/labels'] as Record<string, string>).event
        }`,
    );
  return {clock, roles, events};
}

describe('the roles listing with pending requests', () => {
  it('bounds the pending lookup to about 1.5 s by default', () => {
    expect(PENDING_LOOKUP_TIMEOUT_MS).toBe(1_500);
  });

  it('marks a pending entitlement PENDING_APPROVAL', async () => {
    const {roles} = setup(
      lookup(async () => [{role: 'roles/m', requestId: 'r1'}]).pendingRequests,
    );
    expect(await roles()).toEqual({
      entitlements: [
        {
          role: 'roles/m',
          activationType: 'MPA',
          status: 'PENDING_APPROVAL',
          requestId: 'r1',
        },
      ],
      warnings: [],
    });
  });

  it('answers with the warning when the lookup does not answer in time', async () => {
    const {roles, events} = setup(lookup(never).pendingRequests);
    expect(await roles()).toEqual({
      entitlements: [
        {role: 'roles/m', activationType: 'MPA', status: 'ELIGIBLE'},
      ],
      warnings: [PENDING_WARNING],
    });
    expect(events()).toContain('WARNING api.listEligibleRoles.pending');
  }, 5_000);

  it.each([
    ['an abandoned lookup fails later', 60, 10, 0],
    ['the lookup fails while the roles are being listed', 0, 10, 60],
  ])(
    'leaves no unhandled rejection when %s',
    async (_, lookupMs, timeoutMs, eligibilityMs) => {
      const unhandled: unknown[] = [];
      const record = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', record);
      try {
        const {roles} = setup(
          lookup(async () => {
            await sleep(lookupMs);
            throw new Error('late');
          }).pendingRequests,
          timeoutMs,
          eligibilityMs,
        );
        expect((await roles()).warnings).toEqual([PENDING_WARNING]);
        await sleep(120);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', record);
      }
    },
    5_000,
  );

  it('waits for the lookup while the roles take longer than the bound', async () => {
    const {roles} = setup(
      lookup(async () => {
        await sleep(40);
        return [{role: 'roles/m', requestId: 'r1'}];
      }).pendingRequests,
      10,
      80,
    );
    const listed = await roles();
    expect(listed.warnings).toEqual([]);
    expect(listed.entitlements[0]?.status).toBe('PENDING_APPROVAL');
  });

  it('stops asking after 3 failures in a row and answers at once', async () => {
    const {calls, pendingRequests} = lookup(down);
    const {roles, events} = setup(pendingRequests);
    for (let i = 0; i < 3; i++) await roles();
    expect(calls.count).toBe(3);
    expect(events()).toContain('WARNING pendingRequests.circuitOpen');

    expect((await roles()).warnings).toEqual([PENDING_WARNING]);
    expect(calls.count).toBe(3);
  });

  it('counts timeouts as failures', async () => {
    const {calls, pendingRequests} = lookup(never);
    const {roles} = setup(pendingRequests, 5);
    for (let i = 0; i < 4; i++) await roles();
    expect(calls.count).toBe(3);
  }, 5_000);

  it('asks again after 30 s, and a success closes it', async () => {
    const {calls, pendingRequests} = lookup(async call => {
      if (call <= 3) throw new Error('Firestore is down');
      return [{role: 'roles/m', requestId: 'r1'}];
    });
    const {clock, roles, events} = setup(pendingRequests);
    for (let i = 0; i < 3; i++) await roles();
    clock.ms += 29_000;
    await roles();
    expect(calls.count).toBe(3);

    clock.ms += 1_000;
    const listed = await roles();
    expect(calls.count).toBe(4);
    expect(listed.warnings).toEqual([]);
    expect(listed.entitlements[0]?.status).toBe('PENDING_APPROVAL');
    expect(events()).toContain('INFO pendingRequests.circuitClosed');
  });

  it('opens again for another 30 s when the first lookup after the pause fails', async () => {
    const {calls, pendingRequests} = lookup(down);
    const {clock, roles, events} = setup(pendingRequests);
    for (let i = 0; i < 3; i++) await roles();
    clock.ms += 30_000;
    await roles();
    expect(calls.count).toBe(4);
    await roles();
    expect(calls.count).toBe(4);
    expect(
      events().filter(e => e === 'WARNING pendingRequests.circuitOpen'),
    ).toHaveLength(2);
  });
});

describe('the listing deadline', () => {
  it('answers 503 naming what was slow, rather than waiting for Google past it', async () => {
    const listing = makeEntitlementListing({
      eligibility: new SlowEligibility(300),
      log: makeMemoryLogger().logger,
      deadlineMs: 50,
    });
    await expect(listing.listRoles('alice@example.com', 'p1')).rejects.toThrow(
      'Your roles on project p1 could not be read within 0.05 s',
    );
    await expect(
      listing.listRoles('alice@example.com', 'p1'),
    ).rejects.toMatchObject({httpStatus: 503});
  });

  it('lists as usual within it', async () => {
    const listing = makeEntitlementListing({
      eligibility: new SlowEligibility(10),
      log: makeMemoryLogger().logger,
      deadlineMs: 2_000,
    });
    const set = await listing.listRoles('alice@example.com', 'p1');
    expect(set.entitlements.map(e => e.role)).toEqual(['roles/m']);
  });
});

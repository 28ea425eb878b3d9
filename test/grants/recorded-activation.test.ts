/**
 * Activation through the ledger (shared/grants/recorded-activation.ts), on
 * the Firestore grant store and the emulator: an activation of an active
 * role ends the earlier record as `replaced`, and never its own, whichever
 * way the lookup of live grants and the write of the outcome interleave.
 * The store is wrapped so that the lookup answers only after the outcome
 * (its own records ACTIVE) is stored: the order that once made an
 * activation end itself.
 */
import type {Activator} from '../../shared/activation/types';
import {makeFirestoreGrantStore} from '../../shared/google/firestore-grants';
import {effectiveGrantState} from '../../shared/grants/effective-state';
import {makeRecordedActivator} from '../../shared/grants/recorded-activation';
import {makeMemoryLogger} from '../../shared/log';
import type {GrantStore} from '../../shared/ports';
import {testConfig, testFirestore} from '../support/requests';
import {grantFixture} from './fixtures';

const config = testConfig();
const firestore = testFirestore(config);
afterAll(() => firestore.terminate());

function firestoreGrants(): GrantStore {
  return makeFirestoreGrantStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
    retentionDays: config.grantRetentionDays,
  });
}

/** The store, with `list` held until the next `putAll` (the outcome) is stored. */
function lookupAfterOutcome(store: GrantStore): GrantStore {
  let outcomeStored!: () => void;
  const stored = new Promise<void>(r => (outcomeStored = r));
  return {
    ...store,
    createAll: g => store.createAll(g),
    change: (id, decide) => store.change(id, decide),
    get: id => store.get(id),
    listRecent: since => store.listRecent(since),
    async putAll(grants) {
      await store.putAll(grants);
      outcomeStored();
    },
    async list(query) {
      await stored;
      return store.list(query);
    },
  };
}

/** IAM as the activator port: every write lands (only activate is used). */
const landing: Activator = {
  async activate() {},
  async deactivate() {
    throw new Error('not used by an activation');
  },
};

function activation(user: string, role: string, minutes: number) {
  const start = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    project: 'p1',
    user,
    grants: [{role, start, end: new Date(start.getTime() + minutes * 60_000)}],
    description: 'Self-approved, justification: case 1',
    justification: 'case 1',
    origin: 'self',
    approvers: [],
    actor: user,
  };
}

it('ends the earlier record of the role, and never its own, when the lookup answers after the outcome', async () => {
  const plain = firestoreGrants();
  const earlier = grantFixture({
    user: 'gail@example.com',
    role: 'roles/compute.admin',
    start: new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000),
    minutes: 60,
  });
  await plain.createAll([earlier]);

  const recorded = makeRecordedActivator({
    activator: landing,
    store: lookupAfterOutcome(plain),
    log: makeMemoryLogger().logger,
  });
  const [own] = await recorded.activate(
    activation('gail@example.com', 'roles/compute.admin', 30),
  );

  // The replacement is written after activate() answers; wait for it.
  let ended = await plain.get(earlier.id);
  for (let i = 0; i < 50 && ended?.timeline.at(-1)?.event !== 'replaced'; i++) {
    await new Promise(r => setTimeout(r, 20));
    ended = await plain.get(earlier.id);
  }
  expect(ended?.timeline.at(-1)?.event).toBe('replaced');
  expect(ended?.end).toBe(own!.start);

  const mine = await plain.get(own!.id);
  expect(mine?.state).toBe('ACTIVE');
  expect(mine?.end).toBe(own!.end);
  expect(mine?.timeline.map(t => t.event)).not.toContain('replaced');
  expect(effectiveGrantState(mine!, new Date())).toBe('ACTIVE');
});

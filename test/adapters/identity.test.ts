import {GooglePermissionError} from '../../shared/errors';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeMemoryLogger} from '../../shared/log';
import {FAST, useFake} from './fake';

const t = useFake();

const TRANSITIVE_GROUPS =
  'cloudidentity.groups.memberships.searchTransitiveGroups';
const DIRECT_GROUPS = 'cloudidentity.groups.memberships.searchDirectGroups';

describe.each([
  ['with a premium edition', true],
  ['without a premium edition (direct fallback)', false],
])('groups %s', (_title, premium) => {
  beforeEach(() => {
    t.fake.world.identityPremium = premium;
  });

  it.each([
    [
      'alice@example.com',
      ['admins@example.com', 'loop@example.com', 'ops@example.com'],
    ],
    ['bob@example.com', ['admins@example.com']],
    [
      'carol@example.com',
      ['admins@example.com', 'loop@example.com', 'ops@example.com'],
    ],
    ['dave@example.com', []],
  ])(
    'finds every group of %s, nested and cyclic ones included',
    async (user, groups) => {
      t.fake.maxPageSize = 1;
      const directory = makeDirectoryClient(
        t.config,
        makeMemoryLogger().logger,
        FAST,
      );
      expect(await directory.groupsOf(user)).toEqual(groups);
    },
  );

  it.each([
    [
      'admins@example.com',
      ['alice@example.com', 'bob@example.com', 'carol@example.com'],
    ],
    ['loop@example.com', ['alice@example.com', 'carol@example.com']],
    ['empty@example.com', []],
    ['unknown@example.com', []],
  ])('finds every user in %s', async (group, users) => {
    t.fake.maxPageSize = 1;
    const directory = makeDirectoryClient(
      t.config,
      makeMemoryLogger().logger,
      FAST,
    );
    expect(await directory.usersIn(group)).toEqual(users);
  });
});

describe('Cloud Identity edition fallback', () => {
  it('falls back once, logs it once, and then goes straight to direct groups', async () => {
    t.fake.world.identityPremium = false;
    const memory = makeMemoryLogger();
    const directory = makeDirectoryClient(t.config, memory.logger, FAST);
    await directory.groupsOf('alice@example.com');
    await directory.groupsOf('bob@example.com');
    expect(t.fake.calls(TRANSITIVE_GROUPS).map(c => c.status)).toEqual([403]);
    expect(t.fake.calls(DIRECT_GROUPS).length).toBeGreaterThan(0);
    const warnings = memory
      .entries()
      .filter(
        e => e.severity === 'WARNING' && String(e.message).includes('edition'),
      );
    expect(warnings).toHaveLength(1);
  });

  it('uses the transitive search with the labels clause when the edition allows', async () => {
    const directory = makeDirectoryClient(
      t.config,
      makeMemoryLogger().logger,
      FAST,
    );
    await directory.groupsOf('Alice@Example.com');
    const call = t.fake.calls(TRANSITIVE_GROUPS)[0];
    const query = new URLSearchParams(call?.query).get('query');
    expect(query).toBe(
      "member_key_id == 'alice@example.com' && 'cloudidentity.googleapis.com/groups.discussion_forum' in labels",
    );
    expect(t.fake.calls(DIRECT_GROUPS)).toHaveLength(0);
  });

  it('stops the walk at 10 levels of nesting', async () => {
    t.fake.world.identityPremium = false;
    t.fake.world.groups = Array.from({length: 14}, (_, i) => ({
      email: `level${i}@example.com`,
      members: [i === 0 ? 'deep@example.com' : `level${i - 1}@example.com`],
    }));
    const directory = makeDirectoryClient(
      t.config,
      makeMemoryLogger().logger,
      FAST,
    );
    const groups = await directory.groupsOf('deep@example.com');
    expect(groups).toHaveLength(10);
    expect(groups).not.toContain('level10@example.com');
  });

  it('reports a service account that cannot read groups at all', async () => {
    t.fake.world.deniedPermissions = ['cloudidentity.groups.read'];
    const directory = makeDirectoryClient(
      t.config,
      makeMemoryLogger().logger,
      FAST,
    );
    await expect(
      directory.groupsOf('alice@example.com'),
    ).rejects.toBeInstanceOf(GooglePermissionError);
  });
});

describe('Cloud Identity errors', () => {
  it('retries a 503 and a 429 of the transitive search', async () => {
    t.fake.failNext(TRANSITIVE_GROUPS, 503);
    t.fake.failNext(TRANSITIVE_GROUPS, 429);
    const directory = makeDirectoryClient(
      t.config,
      makeMemoryLogger().logger,
      FAST,
    );
    expect(await directory.groupsOf('bob@example.com')).toEqual([
      'admins@example.com',
    ]);
    expect(t.fake.calls(TRANSITIVE_GROUPS).map(c => c.status)).toEqual([
      503, 429, 200,
    ]);
    expect(t.fake.calls(DIRECT_GROUPS)).toHaveLength(0);
  });
});

describe('the fake Cloud Identity', () => {
  it('refuses a transitive search without the labels clause', async () => {
    const query = encodeURIComponent("member_key_id == 'alice@example.com'");
    const res = await fetch(
      `${t.fake.url}/v1/groups/-/memberships:searchTransitiveGroups?query=${query}`,
    );
    expect(res.status).toBe(400);
  });
});

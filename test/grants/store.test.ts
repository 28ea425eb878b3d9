/**
 * The Firestore grant store on the emulator: batches, transactions, the TTL
 * field, listings by holder, reviewer and auditor, paging, and what
 * reconciliation reads.
 */
import {NotFoundError, InvalidArgumentError} from '../../shared/errors';
import {makeFirestoreGrantStore} from '../../shared/google/firestore-grants';
import {revoked} from '../../shared/grants/ledger';
import {testConfig, testFirestore} from '../support/requests';
import {grantFixture} from './fixtures';

describe('Firestore grant store (emulator)', () => {
  const config = testConfig({GRANT_RETENTION_DAYS: '30'});
  const firestore = testFirestore(config);
  const ops: string[] = [];
  const store = makeFirestoreGrantStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
    retentionDays: config.grantRetentionDays,
    onOperation: kind => ops.push(kind),
  });
  afterAll(() => firestore.terminate());

  it('stores new records in one batch, with deleteAt GRANT_RETENTION_DAYS after the end', async () => {
    const grants = [grantFixture(), grantFixture({role: 'roles/viewer'})];
    ops.length = 0;
    await store.createAll(grants);
    expect(ops).toEqual(['write']);
    expect(await store.get(grants[1]!.id)).toEqual(grants[1]);
    const raw = (
      await firestore
        .collection(`${config.firestore.collectionPrefix}grants`)
        .doc(grants[0]!.id)
        .get()
    ).data();
    expect(raw?.deleteAt.toDate().toISOString()).toBe(
      new Date(Date.parse(grants[0]!.end) + 30 * 86400_000).toISOString(),
    );
  });

  it('stores none of a batch when one id exists already', async () => {
    const old = grantFixture();
    await store.createAll([old]);
    const fresh = grantFixture({role: 'roles/fresh'});
    await expect(store.createAll([fresh, old])).rejects.toThrow(/Firestore/);
    expect(await store.get(fresh.id)).toBeUndefined();
  });

  it('answers undefined for an id not of our format, without asking Firestore', async () => {
    ops.length = 0;
    expect(await store.get('__reserved__')).toBeUndefined();
    expect(ops).toEqual([]);
  });

  it('changes a record in a transaction, and passes a refusal through', async () => {
    const g = grantFixture();
    await store.createAll([g]);
    const at = new Date();
    const done = await store.change(g.id, current => ({
      ok: true,
      grant: revoked(current!, 'alice@example.com', 'done', at),
    }));
    expect(done.state).toBe('REVOKED');
    expect((await store.get(g.id))?.revokeReason).toBe('done');
    await expect(
      store.change(g.id, current => {
        revoked(current!, 'alice@example.com', undefined, at);
        throw new Error('unreachable');
      }),
    ).rejects.toThrow(/already been revoked by alice@example.com/);
    await expect(
      store.change('AAAAAAAAAAAAAAAAAAAAAA', current =>
        current
          ? {ok: true, grant: current}
          : {ok: false, error: new NotFoundError('Grant not found')},
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a holder newest first in pages, records of one instant included, none twice', async () => {
    const user = 'pager@example.com';
    const at = new Date('2030-01-01T00:00:00Z');
    const grants = Array.from({length: 7}, (_, i) =>
      grantFixture({user, role: `roles/r${i}`, createdAt: at, start: at}),
    );
    const later = grantFixture({
      user,
      role: 'roles/later',
      start: new Date('2030-01-02T00:00:00Z'),
    });
    await store.createAll([...grants, later]);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({
        as: 'holder',
        email: user,
        limit: 3,
        ...(pageToken ? {pageToken} : {}),
      });
      seen.push(...page.grants.map(g => g.role));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen[0]).toBe('roles/later');
    expect([...seen].sort()).toEqual(
      ['roles/later', ...grants.map(g => g.role)].sort(),
    );
  });

  it('lists by reviewer, by auditor with filters, and refuses a forged page token', async () => {
    const approved = grantFixture({
      user: 'holder@example.com',
      origin: 'AAAAAAAAAAAAAAAAAAAAAB',
      approvers: ['rev@example.com'],
      project: 'audit-p',
    });
    const other = grantFixture({
      user: 'holder@example.com',
      project: 'audit-q',
    });
    await store.createAll([approved, other]);
    const reviewed = await store.list({
      as: 'reviewer',
      email: 'rev@example.com',
      limit: 10,
    });
    expect(reviewed.grants.map(g => g.id)).toEqual([approved.id]);
    const audited = await store.list({
      as: 'auditor',
      email: 'auditor@example.com',
      user: 'holder@example.com',
      project: 'audit-q',
      state: 'ACTIVE',
      limit: 10,
    });
    expect(audited.grants.map(g => g.id)).toEqual([other.id]);
    await expect(
      store.list({
        as: 'holder',
        email: 'x@example.com',
        limit: 10,
        pageToken: 'bm9wZQ',
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('gives reconciliation the grants live or changed since a time, and not older ones', async () => {
    const old = grantFixture({
      user: 'recent@example.com',
      start: new Date('2001-01-01T00:00:00Z'),
    });
    const live = grantFixture({user: 'recent@example.com'});
    await store.createAll([old, live]);
    const recent = await store.listRecent(new Date(Date.now() - 86400_000));
    const ids = recent.map(g => g.id);
    expect(ids).toContain(live.id);
    expect(ids).not.toContain(old.id);
  });
});

import {transition} from '../../shared/approvals/transition';
import {NotFoundError, UnavailableError} from '../../shared/errors';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {newRequest, testConfig, testFirestore} from '../support/requests';

describe('Firestore request store (emulator)', () => {
  const config = testConfig();
  const firestore = testFirestore(config);
  const store = makeFirestoreRequestStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
  });
  afterAll(() => firestore.terminate());

  it('stores a request and reads it back, with deleteAt 30 days after expiry', async () => {
    const r = newRequest();
    await store.create(r);
    expect(await store.get(r.id)).toEqual(r);
    const raw = (
      await firestore
        .collection(`${config.firestore.collectionPrefix}requests`)
        .doc(r.id)
        .get()
    ).data();
    expect(raw?.deleteAt.toDate().toISOString()).toBe(
      new Date(Date.parse(r.expiresAt) + 30 * 86400_000).toISOString(),
    );
  });

  it('refuses to create a request whose id exists', async () => {
    const r = newRequest();
    await store.create(r);
    await expect(store.create(r)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('changes a request in a transaction and moves deleteAt to the decision + 30 days', async () => {
    const r = newRequest();
    await store.create(r);
    const now = new Date();
    const {request} = await store.change(r.id, current =>
      transition(
        current!,
        {type: 'deny', reason: 'no'},
        'bob@example.com',
        now,
      ),
    );
    expect(request.state).toBe('DENIED');
    expect((await store.get(r.id))?.state).toBe('DENIED');
    const raw = (
      await firestore
        .collection(`${config.firestore.collectionPrefix}requests`)
        .doc(r.id)
        .get()
    ).data();
    expect(raw?.deleteAt.toDate().getTime()).toBe(
      now.getTime() + 30 * 86400_000,
    );
  });

  it('throws a refusing verdict after the transaction, writing nothing', async () => {
    const r = newRequest();
    await store.create(r);
    await expect(
      store.change(r.id, current =>
        transition(current!, {type: 'withdraw'}, 'bob@example.com', new Date()),
      ),
    ).rejects.toMatchObject({status: 'PERMISSION_DENIED'});
    expect(await store.get(r.id)).toEqual(r);
  });

  it('passes an unknown id to the decision as undefined', async () => {
    await expect(
      store.change('nope', current =>
        current
          ? {ok: true, request: current, activate: false}
          : {ok: false, error: new NotFoundError('Request not found')},
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records a notification outcome without touching the rest', async () => {
    const r = newRequest();
    await store.create(r);
    await store.setNotification(r.id, {delivered: false, error: 'SMTP down'});
    expect(await store.get(r.id)).toEqual({
      ...r,
      notification: {delivered: false, error: 'SMTP down'},
    });
  });

  it('lists by requester and by reviewer, newest first, optionally by state', async () => {
    const requester = `dave${Date.now()}@example.com`;
    const reviewer = `erin${Date.now()}@example.com`;
    const older = newRequest({
      requester,
      reviewers: [reviewer],
      createdAt: '2030-01-01T00:00:00.000Z',
    });
    const newer = newRequest({
      requester,
      reviewers: [reviewer],
      createdAt: '2030-01-02T00:00:00.000Z',
      state: 'DENIED',
    });
    await store.create(older);
    await store.create(newer);
    expect(
      (await store.list({as: 'requester', email: requester, limit: 10})).map(
        r => r.id,
      ),
    ).toEqual([newer.id, older.id]);
    expect(
      (await store.list({as: 'reviewer', email: reviewer, limit: 10})).map(
        r => r.id,
      ),
    ).toEqual([newer.id, older.id]);
    expect(
      (
        await store.list({
          as: 'reviewer',
          email: reviewer,
          state: 'PENDING',
          limit: 10,
        })
      ).map(r => r.id),
    ).toEqual([older.id]);
    expect(
      await store.list({as: 'requester', email: reviewer, limit: 10}),
    ).toEqual([]);
  });
});

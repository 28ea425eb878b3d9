/**
 * The grant store of an instance, on the instance's Firestore client: the
 * client library is loaded on the store's first call (as the request store's).
 */
import type {Firestore} from '@google-cloud/firestore';
import type {Config} from '../config';
import type {GrantStore} from '../ports';

export function makeGrantStore(
  config: Config,
  client: () => Promise<Firestore>,
): GrantStore {
  let loading: Promise<GrantStore> | undefined;
  const store = (): Promise<GrantStore> =>
    (loading ??= (async () => {
      const [firestore, {makeFirestoreGrantStore}] = await Promise.all([
        client(),
        import('./firestore-grants'),
      ]);
      return makeFirestoreGrantStore({
        firestore,
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
        retentionDays: config.grantRetentionDays,
      });
    })());
  return {
    createAll: async grants => (await store()).createAll(grants),
    putAll: async grants => (await store()).putAll(grants),
    get: async id => (await store()).get(id),
    change: async (id, decide) => (await store()).change(id, decide),
    list: async query => (await store()).list(query),
    listRecent: async since => (await store()).listRecent(since),
  };
}

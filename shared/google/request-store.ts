/**
 * The request store of an instance: Firestore, as FIRESTORE_DATABASE,
 * FIRESTORE_COLLECTION_PREFIX and FIRESTORE_EMULATOR_HOST say. The client
 * library (about 75 ms to load, more to construct) is loaded on the store's
 * first call, so that building the services of a target costs nothing.
 */
import type {Firestore} from '@google-cloud/firestore';
import type {Config} from '../config';
import type {RequestStore} from '../ports';

/** `client` gives the instance's Firestore client (shared with the grant store). */
export function makeRequestStore(
  config: Config,
  client?: () => Promise<Firestore>,
): RequestStore {
  let loading: Promise<RequestStore> | undefined;
  const store = (): Promise<RequestStore> =>
    (loading ??= (async () => {
      const [{makeFirestore}, {makeFirestoreRequestStore}] = await Promise.all([
        import('./firestore'),
        import('./firestore-requests'),
      ]);
      return makeFirestoreRequestStore({
        firestore: client ? await client() : makeFirestore(config),
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
      });
    })());
  return {
    create: async request => (await store()).create(request),
    get: async id => (await store()).get(id),
    change: async (id, decide) => (await store()).change(id, decide),
    setNotification: async (id, status) =>
      (await store()).setNotification(id, status),
    setEvent: async (id, status) => (await store()).setEvent(id, status),
    setChat: async (id, status) => (await store()).setChat(id, status),
    list: async query => (await store()).list(query),
    listByState: async (state, limit) =>
      (await store()).listByState(state, limit),
  };
}

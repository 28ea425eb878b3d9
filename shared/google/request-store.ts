/**
 * The request store of an instance: Firestore, as FIRESTORE_DATABASE,
 * FIRESTORE_COLLECTION_PREFIX and FIRESTORE_EMULATOR_HOST say. The client
 * library (about 75 ms to load, more to construct) is loaded on the store's
 * first call, so that building the services of a target costs nothing.
 */
import type {Config} from '../config';
import type {RequestStore} from '../ports';

export function makeRequestStore(config: Config): RequestStore {
  let store: RequestStore | undefined;
  const load = (): RequestStore => {
    if (!store) {
      const {makeFirestore} =
        require('./firestore') as typeof import('./firestore');
      const {makeFirestoreRequestStore} =
        require('./firestore-requests') as typeof import('./firestore-requests');
      store = makeFirestoreRequestStore({
        firestore: makeFirestore(config),
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
      });
    }
    return store;
  };
  return {
    create: request => load().create(request),
    get: id => load().get(id),
    change: (id, decide) => load().change(id, decide),
    setNotification: (id, status) => load().setNotification(id, status),
    list: query => load().list(query),
  };
}

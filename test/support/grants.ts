/**
 * Grant stores for tests: the real Firestore store on the run's emulator,
 * under the configuration's collection prefix, or, for a configuration
 * without one, a prefix of its own (the same for the same config object), so
 * that test files never see each other's grants.
 */
import type {Config} from '../../shared/config';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreGrantStore} from '../../shared/google/firestore-grants';
import type {GrantStore} from '../../shared/ports';
import {uniquePrefix} from './requests';

const prefixes = new WeakMap<Config, string>();

export function testGrantStore(
  config: Config,
  onOperation?: (kind: 'read' | 'query' | 'write' | 'transaction') => void,
): GrantStore {
  return makeFirestoreGrantStore({
    firestore: makeFirestore(config),
    collectionPrefix:
      config.firestore.collectionPrefix ||
      prefixes.get(config) ||
      (prefixes.set(config, uniquePrefix()), prefixes.get(config)!),
    database: config.firestore.database,
    retentionDays: config.grantRetentionDays,
    ...(onOperation ? {onOperation} : {}),
  });
}

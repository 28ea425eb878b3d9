/**
 * The composition root: builds the real adapters and services from the
 * configuration, once per instance, each on first use. Heavy client
 * libraries (google-gax, Firestore) are only loaded when a function first
 * needs them, which keeps cold starts short.
 *
 * Only functions/ imports this file; tests build handlers over their own deps.
 */
import type {Config} from '../shared/config';
import type {Logger} from '../shared/log';
import type {IdentityVerifier} from '../shared/http';

export interface Deps {
  config: Config;
  log: Logger;
  verifier: () => IdentityVerifier;
}

/** Memoises a factory: built on first call, then the same instance. */
export function once<T>(factory: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = factory();
      built = true;
    }
    return value;
  };
}

export function makeDeps(config: Config, log: Logger): Deps {
  return {
    config,
    log,
    verifier: once((): IdentityVerifier => {
      throw new Error('IAP verifier not wired yet');
    }),
  };
}

/**
 * The Firestore client (docs/design.md §4, §5): project GOOGLE_CLOUD_PROJECT, database
 * FIRESTORE_DATABASE, and the emulator at FIRESTORE_EMULATOR_HOST when set
 * (plain gRPC, no credentials fetched).
 */
import {Firestore} from '@google-cloud/firestore';
import type {Config} from '../config';
import {AppError, UnavailableError} from '../errors';
import {withTimeout} from '../timeout';

/**
 * How long one Firestore operation may take, the client's own retries
 * included (its default is minutes, far beyond what a caller waits). Past it
 * the caller gets 503 naming Firestore.
 */
export const FIRESTORE_DEADLINE_MS = 15_000;

/** Builds the client once per instance; no network until the first call. */
export function makeFirestore(config: Config): Firestore {
  return new Firestore({
    projectId: config.projectId,
    databaseId: config.firestore.database,
    // Optional fields (resourceCondition, reason, …) are left out, not null.
    ignoreUndefinedProperties: true,
    ...(config.firestore.emulatorHost
      ? {host: config.firestore.emulatorHost, ssl: false}
      : {}),
  });
}

/** gRPC status codes that mean "try again later". */
const TRANSIENT = new Set([1, 2, 4, 8, 10, 13, 14]);

/**
 * Translates an error of the Firestore client into the project's types (an
 * AppError passes through). Messages name Firestore and never carry the
 * client's own text, which may include internals.
 */
export function translateFirestoreError(
  err: unknown,
  database: string,
): AppError {
  if (err instanceof AppError) return err;
  const code = (err as {code?: unknown})?.code;
  if (code === 7 || code === 16) {
    return new UnavailableError(
      'Firestore refused access: the service account needs roles/datastore.user on the project',
      {cause: err},
    );
  }
  if (code === 5) {
    return new UnavailableError(
      `Firestore database ${database} does not exist or is not ready`,
      {cause: err},
    );
  }
  return new UnavailableError(
    TRANSIENT.has(code as number)
      ? 'Firestore is unavailable; try again later'
      : 'Firestore failed to complete the operation; try again later',
    {cause: err},
  );
}

/**
 * Settles with `operation`, or rejects with UnavailableError naming Firestore
 * after `deadlineMs`. The operation itself is not cancelled; callers only use
 * it where a late success is harmless.
 */
export function withDeadline<T>(
  operation: Promise<T>,
  deadlineMs: number,
): Promise<T> {
  return withTimeout(
    operation,
    deadlineMs,
    () =>
      new UnavailableError(
        `Firestore did not answer within ${deadlineMs / 1000} s; try again later`,
      ),
  );
}

/**
 * Every error the product raises, and the one mapping to Google's error JSON
 * (docs/design.md §2.1). Messages are safe to show to the caller; the original error,
 * if any, travels as `cause` and is only ever logged.
 *
 * No class here has a numeric `code` property: the Firestore client retries a
 * transaction whose callback throws an error with a numeric `code` (docs/design.md §5).
 */

export const ErrorStatus = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ABORTED',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorStatus = (typeof ErrorStatus)[number];

export abstract class AppError extends Error {
  abstract readonly httpStatus: number;
  abstract readonly status: ErrorStatus;
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 400: the input is wrong; the message says what and how. */
export class InvalidArgumentError extends AppError {
  readonly httpStatus = 400;
  readonly status = 'INVALID_ARGUMENT';
}

/** 413: the body is larger than the limit. */
export class PayloadTooLargeError extends AppError {
  readonly httpStatus = 413;
  readonly status = 'INVALID_ARGUMENT';
}

/** 415: a POST without `application/json`. */
export class UnsupportedMediaTypeError extends AppError {
  readonly httpStatus = 415;
  readonly status = 'INVALID_ARGUMENT';
}

/** 401: no valid IAP assertion. The message never contains the token. */
export class UnauthenticatedError extends AppError {
  readonly httpStatus = 401;
  readonly status = 'UNAUTHENTICATED';
}

/** 403: the caller may not do this. */
export class PermissionDeniedError extends AppError {
  readonly httpStatus = 403;
  readonly status = 'PERMISSION_DENIED';
}

/** 404: unknown, or not the caller's to see (existence is never revealed). */
export class NotFoundError extends AppError {
  readonly httpStatus = 404;
  readonly status = 'NOT_FOUND';
}

/** 409 ABORTED: the state does not allow the action, or conflicts were exhausted. */
export class AbortedError extends AppError {
  readonly httpStatus = 409;
  readonly status = 'ABORTED';
}

/**
 * 409 ABORTED: the write would take an IAM policy over one of IAM's limits
 * (shared/activation/policy-budget.ts); the message names the limit and the
 * policy. Not retried: the same write would be refused again.
 */
export class PolicyLimitError extends AppError {
  readonly httpStatus = 409;
  readonly status = 'ABORTED';
}

/** 409 ALREADY_EXISTS: e.g. this reviewer already approved. */
export class AlreadyExistsError extends AppError {
  readonly httpStatus = 409;
  readonly status = 'ALREADY_EXISTS';
}

/** 429: over the rate limit. */
export class ResourceExhaustedError extends AppError {
  readonly httpStatus = 429;
  readonly status = 'RESOURCE_EXHAUSTED';
}

/** 503: a dependency (a Google API, Firestore, the IAP audience) is unavailable. */
export class UnavailableError extends AppError {
  readonly httpStatus = 503;
  readonly status = 'UNAVAILABLE';
}

/**
 * 503: an IAM write went unanswered and the policy could not be read back,
 * so nobody knows whether it applied. Nothing may be recorded as failed on
 * its account: reconciliation reads the policy later and settles it.
 */
export class OutcomeUnknownError extends UnavailableError {}

/**
 * A 403 from Google: the function's service account lacks a permission.
 * A deployment problem, not the caller's: it answers 503, and the message
 * names the missing permission (docs/design.md §3).
 */
export class GooglePermissionError extends UnavailableError {
  constructor(
    message: string,
    readonly permission: string | undefined,
    options?: {cause?: unknown},
  ) {
    super(message, options);
  }
}

/** 405: the path exists, but not with this method. */
export class MethodNotAllowedError extends AppError {
  readonly httpStatus = 405;
  readonly status = 'INVALID_ARGUMENT';
  constructor(
    message: string,
    /** The methods the path does allow, answered in `Allow`. */
    readonly allowed: string[],
  ) {
    super(message);
  }
}

/**
 * An IAM policy write lost a race (HTTP 409 ABORTED or 412 on a stale etag).
 * Adapters raise it; the activation code re-reads and retries, and answers
 * 409 ABORTED once the attempts are exhausted.
 */
export class ConflictError extends AppError {
  readonly httpStatus = 409;
  readonly status = 'ABORTED';
}

/** A bad configuration: stops the cold start (never answered per request). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      'Invalid configuration:\n' + problems.map(p => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}

/** Google's error JSON, as every endpoint answers it. */
export interface ErrorBody {
  error: {code: number; status: ErrorStatus; message: string};
}

/**
 * The one mapping from an error to an HTTP status and body. An error that is
 * not an AppError is answered as a plain 500 that reveals nothing; the caller
 * logs it in full.
 */
export function toErrorResponse(err: unknown): {
  httpStatus: number;
  body: ErrorBody;
  /** Response headers the error calls for (`Allow` on a 405). */
  headers: Record<string, string>;
  known: boolean;
} {
  if (err instanceof AppError) {
    return {
      httpStatus: err.httpStatus,
      body: {
        error: {code: err.httpStatus, status: err.status, message: err.message},
      },
      headers:
        err instanceof MethodNotAllowedError
          ? {Allow: err.allowed.join(', ')}
          : {},
      known: true,
    };
  }
  return {
    httpStatus: 500,
    body: {
      error: {code: 500, status: 'INTERNAL', message: 'Internal error'},
    },
    headers: {},
    known: false,
  };
}

/**
 * Audit events: one log entry per API call that reads or changes access,
 * refusals included, in one shape. The `event` label names the call, the
 * `outcome` label is one of three words, and a refusal carries the error's
 * `status` (PERMISSION_DENIED, ABORTED, …). The user and the request's trace
 * come with every entry (the user as a label here, the trace from the request
 * context).
 */
import {AppError, type ErrorStatus} from './errors';
import {MAX_REASON_LENGTH} from './limits';
import type {LogLabels, Logger} from './log';

/** Every audit event the product writes. */
export const AuditEvent = [
  'iap.authenticate',
  'api.listProjects',
  'api.listEligibleRoles',
  'api.listPeers',
  'api.activateRole',
  'api.requestRole',
  'api.approveRequest',
  'api.denyRequest',
  'api.withdrawRequest',
  'api.remindRequest',
  'api.listGrants',
  'api.revokeGrant',
  'api.reconcile',
] as const;
export type AuditEvent = (typeof AuditEvent)[number];

/**
 * `success`: done. `refused`: the caller may not, or asked for something
 * wrong (a 4xx). `error`: it could not be done (a dependency failed, a bug).
 */
export const AuditOutcome = ['success', 'refused', 'error'] as const;
export type AuditOutcome = (typeof AuditOutcome)[number];

/** The outcome and status of a failed call. */
export function failureOutcome(err: unknown): {
  outcome: AuditOutcome;
  status: ErrorStatus;
} {
  if (err instanceof AppError) {
    return {
      outcome: err.httpStatus < 500 ? 'refused' : 'error',
      status: err.status,
    };
  }
  return {outcome: 'error', status: 'INTERNAL'};
}

/** The most characters of one caller's value that an audit entry keeps. */
export const MAX_AUDITED_TEXT = MAX_REASON_LENGTH;

/**
 * A value from the caller, before it is checked, as an audit entry keeps it:
 * a string of at most MAX_AUDITED_TEXT characters, or its first ones and its
 * length; a number, a boolean, null or undefined as it is; anything else by
 * its kind. A refused call is audited with what it was given, so the check
 * cannot be what bounds the entry.
 */
export function auditedInput(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_AUDITED_TEXT
      ? value
      : `${value.slice(0, MAX_AUDITED_TEXT)}… (${value.length} characters)`;
  }
  if (
    value === undefined ||
    value === null ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  return Array.isArray(value) ? '(a list)' : `(${typeof value})`;
}

/** What an audit entry says besides event and outcome. */
export interface AuditDetails {
  /** Indexed labels (strings): user, project, role, requestId, … */
  labels?: LogLabels;
  /** Structured fields: justification, reviewers, counts, … */
  fields?: Record<string, unknown>;
}

/**
 * Runs `work` and writes its audit event, success or not, then passes the
 * result or the error on. `work` may add to `details` as it learns more (the
 * resolved entitlements, the window); `describe` adds what the result says.
 */
export async function audited<T>(
  log: Logger,
  event: AuditEvent,
  details: AuditDetails,
  work: (details: AuditDetails) => Promise<T>,
  describe: (result: T) => AuditDetails = () => ({}),
): Promise<T> {
  const who = details.labels?.['user'];
  try {
    const result = await work(details);
    const more = describe(result);
    log.notice(
      `${event}: ${who ?? ''} success`,
      {...details.labels, ...more.labels, event, outcome: 'success'},
      {...details.fields, ...more.fields},
    );
    return result;
  } catch (err) {
    const {outcome, status} = failureOutcome(err);
    log.notice(
      `${event}: ${who ?? ''} ${outcome} (${status})`,
      {...details.labels, event, outcome, status},
      {
        ...details.fields,
        reason: err instanceof AppError ? err.message : 'internal error',
      },
    );
    throw err;
  }
}

/**
 * The one pure state machine of a request (docs/design.md §2.1, §5). Every change of
 * a stored request goes through `transition`, inside a Firestore transaction
 * that re-read the document.
 *
 * It never throws: it returns a verdict, and the caller throws the error only
 * after `runTransaction` has settled (the Firestore client would retry a
 * callback that throws an error with a numeric `code`).
 */
import {activationWindow} from '../activation/types';
import {effectiveState} from './effective-state';
import {
  AbortedError,
  AlreadyExistsError,
  AppError,
  InvalidArgumentError,
  PermissionDeniedError,
  ResourceExhaustedError,
} from '../errors';
import {reasonProblem} from '../limits';
import {AccessRequest, REMIND_COOLDOWN_MS, RequestState} from './types';

export {effectiveState};

export type RequestAction =
  | {type: 'approve'; comment?: string}
  | {type: 'deny'; reason: string}
  | {type: 'withdraw'}
  | {type: 'remind'}
  /** The IAM write of the attempt that started at `start` succeeded. */
  | {type: 'activated'; start: string}
  /** The IAM write of the attempt that started at `start` failed. */
  | {type: 'activationFailed'; start: string; error: string};

export type Verdict =
  | {
      ok: true;
      request: AccessRequest;
      /** True when this change moved the request to APPROVED: write the binding now. */
      activate: boolean;
    }
  | {ok: false; error: AppError};

/** The request as a caller sees it at `now` (its effective state). */
export function asRead(request: AccessRequest, now: Date): AccessRequest {
  const state = effectiveState(request, now);
  if (state === request.state) return request;
  if (state === 'FAILED' && request.state === 'APPROVED') {
    return {
      ...request,
      state,
      error: 'The activation did not complete in time; approve again to retry',
    };
  }
  return {...request, state};
}

function refuse(error: AppError): Verdict {
  return {ok: false, error};
}

function notAllowed(action: string, state: RequestState): Verdict {
  return refuse(
    new AbortedError(`The request is ${state}: it can no longer be ${action}`),
  );
}

function exhaustive(state: never): never {
  throw new Error(`Unhandled request state ${String(state)}`);
}

/** Starts (or restarts) the IAM write: APPROVED with a window starting now. */
function startActivation(
  request: AccessRequest,
  actor: string,
  now: Date,
): AccessRequest {
  const {start, end} = activationWindow(now, request.durationMinutes);
  const next: AccessRequest = {
    ...request,
    state: 'APPROVED',
    decidedAt: now.toISOString(),
    decidedBy: actor,
    activation: {start: start.toISOString(), end: end.toISOString()},
  };
  delete next.error;
  return next;
}

function approve(
  request: AccessRequest,
  comment: string | undefined,
  actor: string,
  now: Date,
): Verdict {
  if (actor === request.requester) {
    return refuse(
      new PermissionDeniedError('You cannot approve your own request'),
    );
  }
  if (!request.reviewers.includes(actor)) {
    return refuse(
      new PermissionDeniedError('You are not a reviewer of this request'),
    );
  }
  if (comment !== undefined) {
    const problem = reasonProblem('comment', comment);
    if (problem !== undefined) return refuse(new InvalidArgumentError(problem));
  }
  const already = request.approvals.some(a => a.reviewer === actor);
  const state = effectiveState(request, now);
  switch (state) {
    case 'FAILED':
      // A retry: any listed reviewer, approved before or not, and the
      // approvals stay as they are; but not once the request has expired
      // (it still reads FAILED, and can be denied or withdrawn to close it).
      if (now.getTime() >= Date.parse(request.expiresAt)) {
        return refuse(
          new AbortedError(
            `The request expired at ${request.expiresAt}: it can no longer be activated; deny or withdraw it, and request the role again`,
          ),
        );
      }
      return {
        ok: true,
        request: startActivation(request, actor, now),
        activate: true,
      };
    case 'PENDING': {
      if (already) {
        return refuse(
          new AlreadyExistsError('You have already approved this request'),
        );
      }
      const approval = {
        reviewer: actor,
        at: now.toISOString(),
        ...(comment ? {comment} : {}),
      };
      const approved = {
        ...request,
        approvals: [...request.approvals, approval],
      };
      if (approved.approvals.length >= approved.requiredApprovals) {
        return {
          ok: true,
          request: startActivation(approved, actor, now),
          activate: true,
        };
      }
      return {ok: true, request: approved, activate: false};
    }
    case 'APPROVED':
    case 'ACTIVE':
    case 'DENIED':
    case 'WITHDRAWN':
    case 'EXPIRED':
      if (already) {
        return refuse(
          new AlreadyExistsError('You have already approved this request'),
        );
      }
      return notAllowed('approved', state);
    default:
      return exhaustive(state);
  }
}

function deny(
  request: AccessRequest,
  reason: string,
  actor: string,
  now: Date,
): Verdict {
  if (actor === request.requester) {
    return refuse(
      new PermissionDeniedError(
        'You cannot deny your own request; withdraw it',
      ),
    );
  }
  if (!request.reviewers.includes(actor)) {
    return refuse(
      new PermissionDeniedError('You are not a reviewer of this request'),
    );
  }
  if (reason.trim() === '') {
    return refuse(
      new InvalidArgumentError('A reason is required to deny a request'),
    );
  }
  const problem = reasonProblem('reason', reason);
  if (problem !== undefined) return refuse(new InvalidArgumentError(problem));
  const state = effectiveState(request, now);
  switch (state) {
    case 'PENDING':
    case 'FAILED':
      // A FAILED request can be denied to close it (no retry will follow).
      return {
        ok: true,
        request: {
          ...request,
          state: 'DENIED',
          decidedAt: now.toISOString(),
          decidedBy: actor,
          reason,
        },
        activate: false,
      };
    case 'APPROVED':
    case 'ACTIVE':
    case 'DENIED':
    case 'WITHDRAWN':
    case 'EXPIRED':
      return notAllowed('denied', state);
    default:
      return exhaustive(state);
  }
}

/** The request with the requester's act of withdrawing it. */
function withdrawn(request: AccessRequest, actor: string, now: Date): Verdict {
  return {
    ok: true,
    request: {
      ...request,
      state: 'WITHDRAWN',
      decidedAt: now.toISOString(),
      decidedBy: actor,
    },
    activate: false,
  };
}

/**
 * A reminder: at most one per REMIND_COOLDOWN_MS since the last one (or since
 * creation). Only the request's first mail, when it was not delivered, may be
 * sent again at once (remind is how it is re-sent); after a reminder, the
 * interval holds whatever became of its mail, so reminders cannot loop.
 */
function reminded(request: AccessRequest, now: Date): Verdict {
  const firstMailFailed =
    request.notification?.delivered === false &&
    request.lastRemindedAt === undefined;
  if (!firstMailFailed) {
    const last = Date.parse(request.lastRemindedAt ?? request.createdAt);
    const next = last + REMIND_COOLDOWN_MS;
    if (now.getTime() < next) {
      return refuse(
        new ResourceExhaustedError(
          `The reviewers were reminded less than ${REMIND_COOLDOWN_MS / 60_000} minutes ago; send a reminder again after ${new Date(next).toISOString()}`,
        ),
      );
    }
  }
  return {
    ok: true,
    request: {...request, lastRemindedAt: now.toISOString()},
    activate: false,
  };
}

/**
 * Withdraw and remind: the requester's own actions, while PENDING; a FAILED
 * request can also be withdrawn (to close it).
 */
function requesterAction(
  request: AccessRequest,
  action: 'withdraw' | 'remind',
  actor: string,
  now: Date,
): Verdict {
  if (actor !== request.requester) {
    return refuse(
      new PermissionDeniedError(
        action === 'withdraw'
          ? 'Only the requester can withdraw a request'
          : 'Only the requester can send a reminder',
      ),
    );
  }
  const state = effectiveState(request, now);
  switch (state) {
    case 'PENDING':
      return action === 'remind'
        ? reminded(request, now)
        : withdrawn(request, actor, now);
    case 'FAILED':
      return action === 'withdraw'
        ? withdrawn(request, actor, now)
        : notAllowed('reminded', state);
    case 'APPROVED':
    case 'ACTIVE':
    case 'DENIED':
    case 'WITHDRAWN':
    case 'EXPIRED':
      return notAllowed(
        action === 'withdraw' ? 'withdrawn' : 'reminded',
        state,
      );
    default:
      return exhaustive(state);
  }
}

/** The outcome of an IAM write: only for the attempt still recorded. */
function recordOutcome(
  request: AccessRequest,
  start: string,
  error: string | undefined,
): Verdict {
  // Already recorded: the store retried a commit whose answer was lost.
  if (
    request.state === (error === undefined ? 'ACTIVE' : 'FAILED') &&
    request.activation?.start === start &&
    (error === undefined || request.error === error)
  ) {
    return {ok: true, request, activate: false};
  }
  // Stored state, not effective: a slow write that finishes after the two
  // minutes must still be recorded, or the record would hide a real binding.
  if (request.state !== 'APPROVED' || request.activation?.start !== start) {
    return notAllowed('recorded as activated', request.state);
  }
  const next: AccessRequest =
    error === undefined
      ? {...request, state: 'ACTIVE'}
      : {...request, state: 'FAILED', error};
  if (error === undefined) delete next.error;
  return {ok: true, request: next, activate: false};
}

/**
 * Applies `action` by `actor` (a lower-cased email) at `now` to a stored
 * request. Pure: the same inputs always give the same verdict.
 */
export function transition(
  request: AccessRequest,
  action: RequestAction,
  actor: string,
  now: Date,
): Verdict {
  switch (action.type) {
    case 'approve':
      return approve(request, action.comment, actor, now);
    case 'deny':
      return deny(request, action.reason, actor, now);
    case 'withdraw':
    case 'remind':
      return requesterAction(request, action.type, actor, now);
    case 'activated':
      return recordOutcome(request, action.start, undefined);
    case 'activationFailed':
      return recordOutcome(request, action.start, action.error);
    default:
      return exhaustive(action);
  }
}

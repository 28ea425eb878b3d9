/**
 * The use cases of multi-party approval (docs/design.md §2.1, §5): request, list,
 * read, approve (activating when the count is reached), deny, withdraw,
 * remind. Handlers in functions/ parse input and call these; every state
 * change goes through the store's transaction and the pure `transition`.
 */
import {newRecordId} from '../record-id';
import {approvedDescription} from '../activation/description';
import {
  checkDurationMinutes,
  checkJustification,
} from '../activation/input-checks';
import type {ActivationGrant, Activator} from '../activation/types';
import {audited as auditedCall, auditedInput, type AuditEvent} from '../audit';
import type {Config} from '../config';
import {
  describeEntitlement,
  EntitlementRef,
  resolveEntitlement,
  sameEntitlement,
} from '../eligibility/entitlement-ref';
import type {EligibilityService, EntitlementId} from '../eligibility/types';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  OutcomeUnknownError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from '../errors';
import {requestFacts, type EventType} from '../events/events';
import {isServiceAccountEmail} from '../limits';
import type {LogLabels, Logger} from '../log';
import {
  failureText,
  makeRecordedActivator,
} from '../grants/recorded-activation';
import type {
  ChatCards,
  EventPublisher,
  GrantStore,
  MailEvent,
  Notifier,
  RequestStore,
} from '../ports';
import type {StoredState} from '../ports/request-store';
import {showOnChat} from './chat-cards';
import {LIST_LIMIT} from './pending';
import {asRead, effectiveState, RequestAction, transition} from './transition';
import type {AccessRequest, RequestState} from './types';

export interface ApprovalServiceDeps {
  config: Pick<Config, 'activation' | 'justification'>;
  store: RequestStore;
  eligibility: EligibilityService;
  activator: Activator;
  /** The ledger: a record for every binding written. */
  grants: GrantStore;
  notifier: Pick<Notifier, 'notify'>;
  /** Publishes to NOTIFICATION_TOPIC; absent when it is not set. */
  events?: EventPublisher;
  /** The cards in Google Chat; absent without CHAT_SPACE or CHAT_DIRECT_MESSAGES. */
  chat?: ChatCards;
  log: Logger;
  now?: () => Date;
}

/**
 * Where a decision came from, as its audit event says: the HTTP API (the web
 * page, the CLI) or a card in Google Chat (docs/chat.md).
 */
export type Channel = 'http' | 'chat';

/** A request for approval as an entry point read it; checked by `create`. */
export interface NewRequestInput {
  project: string;
  entitlement: EntitlementRef;
  justification: string;
  durationMinutes: number;
  /** Lower-cased emails, as given. */
  reviewers: string[];
}

export interface ApprovalService {
  create(requester: string, input: NewRequestInput): Promise<AccessRequest>;
  list(
    user: string,
    as: 'requester' | 'reviewer',
    state?: RequestState,
  ): Promise<AccessRequest[]>;
  get(user: string, id: string): Promise<AccessRequest>;
  approve(
    user: string,
    id: string,
    comment?: string,
    channel?: Channel,
  ): Promise<AccessRequest>;
  deny(
    user: string,
    id: string,
    reason: string,
    channel?: Channel,
  ): Promise<AccessRequest>;
  withdraw(user: string, id: string): Promise<AccessRequest>;
  remind(user: string, id: string): Promise<AccessRequest>;
}

/** 128 random bits, URL-safe, never starting with `-` (record-id.ts). */
export function newRequestId(): string {
  return newRecordId();
}

const NOT_FOUND = 'Request not found';

/** The activation a request's window records (it has one once approved). */
function activationOf(request: AccessRequest): ActivationGrant {
  return {
    role: request.role,
    ...(request.resourceCondition !== undefined
      ? {resourceCondition: request.resourceCondition}
      : {}),
    start: new Date(request.activation!.start),
    end: new Date(request.activation!.end),
  };
}

function visibleTo(request: AccessRequest, user: string): boolean {
  return request.requester === user || request.reviewers.includes(user);
}

/**
 * Service accounts (pipelines, docs/cli.md) may request and activate roles
 * for themselves, never decide on a request: a person reviews.
 */
function checkPerson(user: string): void {
  if (isServiceAccountEmail(user)) {
    throw new PermissionDeniedError(
      'Service accounts may request and activate roles for themselves, never approve or deny a request: a person must review it',
    );
  }
}

export function makeApprovalService(
  deps: ApprovalServiceDeps,
): ApprovalService {
  const {store, eligibility, activator, notifier, events, chat, log} = deps;
  const now = deps.now ?? (() => new Date());
  const ledger = makeRecordedActivator({
    activator,
    store: deps.grants,
    log,
    now,
  });
  const limits = deps.config.activation;

  /** The audit event of a call on a request, refusals included. */
  function audited(
    event: AuditEvent,
    labels: LogLabels,
    fields: Record<string, unknown>,
    run: () => Promise<AccessRequest>,
  ): Promise<AccessRequest> {
    return auditedCall(log, event, {labels, fields}, run, r => ({
      labels: {requestId: r.id, project: r.project, role: r.role},
      fields: {state: r.state, notification: r.notification, event: r.event},
    }));
  }

  /** Sends a mail and records its outcome; never fails the call. */
  async function mail(
    event: MailEvent,
    request: AccessRequest,
  ): Promise<AccessRequest> {
    const notification = await notifier.notify(event, request);
    try {
      await store.setNotification(request.id, notification);
    } catch (e) {
      log.warn(
        'Could not record the mail outcome',
        {
          event: 'mail.recordFailed',
          requestId: request.id,
        },
        {error: e},
      );
    }
    return {...request, notification};
  }

  /**
   * Publishes an event (when NOTIFICATION_TOPIC is set) and records its
   * outcome as `mail` records a mail's; never fails the call.
   */
  async function publish(
    type: EventType,
    request: AccessRequest,
    actor?: string,
  ): Promise<AccessRequest> {
    if (!events) return request;
    const event = await events.publish(type, requestFacts(request, actor));
    try {
      await store.setEvent(request.id, event);
    } catch (e) {
      log.warn(
        'Could not record the event outcome',
        {event: 'notification.recordFailed', requestId: request.id},
        {error: e},
      );
    }
    return {...request, event};
  }

  /**
   * Posts the request's card (a new request, a reminder) or brings its cards
   * up to date (any other change), when Chat is set up, and records where
   * they are as `mail` records a mail's outcome; never fails the call.
   */
  function cards(request: AccessRequest, post: boolean) {
    return chat
      ? showOnChat({chat, store, log}, request, post)
      : Promise.resolve(request);
  }

  /**
   * Mails the people concerned, publishes the event and posts or updates the
   * Chat cards, side by side, before the caller answers (Cloud Run throttles
   * the CPU after the response).
   */
  async function notify(
    request: AccessRequest,
    mailEvent: MailEvent,
    type?: EventType,
    actor?: string,
  ): Promise<AccessRequest> {
    const [mailed, published, carded] = await Promise.all([
      mail(mailEvent, request),
      type ? publish(type, request, actor) : request,
      cards(request, mailEvent === 'requested' || mailEvent === 'reminded'),
    ]);
    return {
      ...mailed,
      ...(published.event ? {event: published.event} : {}),
      ...(carded.chat ? {chat: carded.chat} : {}),
    };
  }

  /** One state change by `user`, refused with 404 for anyone who may not see it. */
  function change(id: string, user: string, action: RequestAction) {
    const at = now();
    return store.change(id, current =>
      !current || !visibleTo(current, user)
        ? {ok: false, error: new NotFoundError(NOT_FOUND)}
        : transition(current, action, user, at),
    );
  }

  /**
   * Before a request whose IAM write failed (FAILED, or APPROVED for too
   * long) is closed: removes any binding that write may have left, so that
   * the request never reads DENIED or WITHDRAWN while its binding exists.
   * Only when the action is allowed (checked again in the transaction); a
   * failure here fails the action before anything is recorded.
   */
  async function removeLeftover(
    current: AccessRequest,
    user: string,
    action: RequestAction,
  ): Promise<void> {
    if (!current.activation) return;
    if (!transition(current, action, user, now()).ok) return;
    const removed = await activator.deactivate(
      current.project,
      current.requester,
      activationOf(current),
    );
    if (removed) {
      log.warn(
        `Removed the binding that the failed activation of request ${current.id} left in the IAM policy of ${current.project}`,
        {
          event: 'activation.leftoverRemoved',
          requestId: current.id,
          project: current.project,
        },
      );
    }
  }

  async function isMpaEligible(
    user: string,
    project: string,
    entitlement: EntitlementId,
  ): Promise<boolean> {
    const {entitlements} = await eligibility.listEntitlements(user, project);
    return entitlements.some(
      e => e.activationType === 'MPA' && sameEntitlement(e, entitlement),
    );
  }

  async function recordOutcome(
    request: AccessRequest,
    error: string | undefined,
  ): Promise<AccessRequest> {
    const start = request.activation!.start;
    const action: RequestAction =
      error === undefined
        ? {type: 'activated', start}
        : {type: 'activationFailed', start, error};
    let last: unknown;
    // The binding exists (or definitely failed): try hard to say so.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return (
          await store.change(request.id, current =>
            current
              ? transition(current, action, 'system', now())
              : {ok: false, error: new NotFoundError(NOT_FOUND)},
          )
        ).request;
      } catch (e) {
        last = e;
        if (!(e instanceof UnavailableError)) break;
      }
    }
    log.error(
      'The outcome of an activation could not be recorded; the request reads FAILED after two minutes and a reviewer can retry',
      {event: 'approvals.recordFailed', requestId: request.id},
      {error: last, activationError: error},
    );
    throw last;
  }

  /** Writes the binding of an approved request; `approver` reached the count. */
  async function activate(
    approved: AccessRequest,
    approver: string,
  ): Promise<AccessRequest> {
    const grant = activationOf(approved);
    try {
      await ledger.activate({
        project: approved.project,
        user: approved.requester,
        grants: [grant],
        description: approvedDescription(
          approved.approvals.map(a => a.reviewer),
          approved.justification,
        ),
        justification: approved.justification,
        origin: approved.id,
        approvers: approved.approvals.map(a => a.reviewer),
        actor: approver,
      });
    } catch (e) {
      // Nobody knows whether the binding exists: the request stays APPROVED
      // and its grant ACTIVATING until reconciliation reads the policy.
      if (e instanceof OutcomeUnknownError) throw e;
      const error = failureText(e);
      let failed: AccessRequest = {...approved, state: 'FAILED', error};
      try {
        failed = await recordOutcome(approved, error);
      } finally {
        // Told even when the outcome could not be recorded.
        await Promise.all([
          publish('ActivationFailed', failed, approver),
          cards(failed, false),
        ]);
      }
      throw e;
    }
    return notify(
      await recordOutcome(approved, undefined),
      'activated',
      'ActivationApproved',
      approver,
    );
  }

  /**
   * One open request per entitlement, and at most maxPendingRequests in all,
   * so that one requester cannot flood the reviewers. Checked before the
   * request is stored (not in a transaction: two requests sent at the same
   * instant may both pass).
   */
  async function checkOpenRequests(
    requester: string,
    project: string,
    entitlement: EntitlementId,
  ): Promise<void> {
    const open = await listAs(requester, 'requester', 'PENDING');
    const same = open.find(
      r => r.project === project && sameEntitlement(r, entitlement),
    );
    if (same) {
      throw new AlreadyExistsError(
        `You already have a pending request ${same.id} for ${describeEntitlement(entitlement)} on project ${project}; remind its reviewers or withdraw it`,
      );
    }
    const max = limits.maxPendingRequests;
    if (open.length >= max) {
      throw new ResourceExhaustedError(
        `You have ${open.length} open request${open.length === 1 ? '' : 's'}, the most one requester may have; withdraw one or wait for a decision`,
      );
    }
  }

  async function listAs(
    user: string,
    as: 'requester' | 'reviewer',
    state: RequestState | undefined,
  ): Promise<AccessRequest[]> {
    const stored: Array<StoredState | undefined> =
      state === undefined
        ? [undefined]
        : state === 'EXPIRED'
          ? ['PENDING']
          : state === 'FAILED'
            ? ['FAILED', 'APPROVED']
            : [state];
    const at = now();
    const results = await Promise.all(
      stored.map(s =>
        store.list({as, email: user, state: s, limit: LIST_LIMIT}),
      ),
    );
    return results
      .flat()
      .map(r => asRead(r, at))
      .filter(r => state === undefined || r.state === state)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, LIST_LIMIT);
  }

  return {
    create(requester, input) {
      return audited(
        'api.requestRole',
        {user: requester, project: input.project, role: input.entitlement.role},
        {
          reviewers: input.reviewers,
          justification: auditedInput(input.justification),
          durationMinutes: auditedInput(input.durationMinutes),
        },
        async () => {
          const justification = checkJustification(
            input.justification,
            deps.config,
          );
          const durationMinutes = checkDurationMinutes(
            input.durationMinutes,
            deps.config,
          );
          const {entitlements} = await eligibility.listEntitlements(
            requester,
            input.project,
          );
          const entitlement = resolveEntitlement(
            input.entitlement,
            entitlements.filter(e => e.activationType === 'MPA'),
            input.project,
          );
          checkReviewerList(requester, input.reviewers, limits);
          await checkOpenRequests(requester, input.project, entitlement);
          const peers = new Set(
            await eligibility.listPeers(requester, input.project, entitlement),
          );
          const stranger = input.reviewers.find(r => !peers.has(r));
          if (stranger !== undefined) {
            throw new InvalidArgumentError(
              `${stranger} is not eligible to approve ${describeEntitlement(entitlement)} on project ${input.project}`,
            );
          }
          const created = now();
          const request: AccessRequest = {
            id: newRequestId(),
            project: input.project,
            role: entitlement.role,
            ...(entitlement.resourceCondition !== undefined
              ? {resourceCondition: entitlement.resourceCondition}
              : {}),
            requester,
            reviewers: input.reviewers,
            justification,
            durationMinutes,
            state: 'PENDING',
            approvals: [],
            requiredApprovals: limits.requiredApprovals,
            createdAt: created.toISOString(),
            expiresAt: new Date(
              created.getTime() + limits.requestTimeoutMinutes * 60_000,
            ).toISOString(),
          };
          // Stored first: a mail never goes out for a request that was not kept.
          await store.create(request);
          return notify(request, 'requested', 'RequestActivation');
        },
      );
    },

    list(user, as, state) {
      return listAs(user, as, state);
    },

    async get(user, id) {
      const request = await store.get(id);
      if (!request || !visibleTo(request, user))
        throw new NotFoundError(NOT_FOUND);
      // A reviewer who lost eligibility no longer sees the request.
      if (
        request.requester !== user &&
        !(await eligibility.isReviewer(user, request.project, request))
      ) {
        throw new NotFoundError(NOT_FOUND);
      }
      return asRead(request, now());
    },

    approve(user, id, comment, channel = 'http') {
      return audited(
        'api.approveRequest',
        {user, requestId: id},
        {comment: auditedInput(comment), channel},
        async () => {
          checkPerson(user);
          const current = await store.get(id);
          if (!current || !visibleTo(current, user))
            throw new NotFoundError(NOT_FOUND);
          // Eligibility can change while a request waits: re-check both sides
          // (outside the transaction: network calls do not belong in a retried callback).
          if (
            current.reviewers.includes(user) &&
            effectiveState(current, now()) !== 'ACTIVE'
          ) {
            const [requesterOk, reviewerOk] = await Promise.all([
              isMpaEligible(current.requester, current.project, current),
              eligibility.isReviewer(user, current.project, current),
            ]);
            if (!requesterOk) {
              throw new PermissionDeniedError(
                `${current.requester} is no longer eligible for ${describeEntitlement(current)} on project ${current.project}`,
              );
            }
            if (!reviewerOk) {
              throw new PermissionDeniedError(
                `You are no longer eligible to approve ${describeEntitlement(current)} on project ${current.project}`,
              );
            }
          }
          const {request, activate: write} = await change(id, user, {
            type: 'approve',
            ...(comment !== undefined ? {comment} : {}),
          });
          // Not yet enough approvals: no mail, but the cards show the count.
          return write
            ? activate(request, user)
            : asRead(await cards(request, false), now());
        },
      );
    },

    deny(user, id, reason, channel = 'http') {
      return audited(
        'api.denyRequest',
        {user, requestId: id},
        {reason: auditedInput(reason), channel},
        async () => {
          checkPerson(user);
          const current = await store.get(id);
          if (!current || !visibleTo(current, user))
            throw new NotFoundError(NOT_FOUND);
          // As for an approval: only a reviewer who is still eligible decides
          // (checked outside the transaction, which may be retried).
          if (
            current.reviewers.includes(user) &&
            !(await eligibility.isReviewer(user, current.project, current))
          ) {
            throw new PermissionDeniedError(
              `You are no longer eligible to review ${describeEntitlement(current)} on project ${current.project}`,
            );
          }
          await removeLeftover(current, user, {type: 'deny', reason});
          const {request} = await change(id, user, {type: 'deny', reason});
          return notify(request, 'denied', 'ActivationRequestDenied', user);
        },
      );
    },

    withdraw(user, id) {
      return audited(
        'api.withdrawRequest',
        {user, requestId: id},
        {},
        async () => {
          const current = await store.get(id);
          if (current && visibleTo(current, user)) {
            await removeLeftover(current, user, {type: 'withdraw'});
          }
          const {request} = await change(id, user, {type: 'withdraw'});
          return notify(request, 'withdrawn', 'ActivationRequestWithdrawn');
        },
      );
    },

    remind(user, id) {
      return audited(
        'api.remindRequest',
        {user, requestId: id},
        {},
        async () => {
          const {request} = await change(id, user, {type: 'remind'});
          return notify(request, 'reminded');
        },
      );
    },
  };
}

/** Count, duplicates and self-review: 400 naming the offending reviewer. */
function checkReviewerList(
  requester: string,
  reviewers: string[],
  limits: Config['activation'],
): void {
  const min = Math.max(limits.minReviewers, limits.requiredApprovals);
  if (reviewers.length < min || reviewers.length > limits.maxReviewers) {
    throw new InvalidArgumentError(
      `Name from ${min} to ${limits.maxReviewers} reviewers`,
    );
  }
  const seen = new Set<string>();
  for (const r of reviewers) {
    if (r === requester) {
      throw new InvalidArgumentError(`${r} cannot review their own request`);
    }
    if (seen.has(r)) {
      throw new InvalidArgumentError(`${r} is listed more than once`);
    }
    seen.add(r);
  }
}

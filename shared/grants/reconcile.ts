/**
 * Reconciliation (docs/grants.md): makes the ledger and IAM agree. For each
 * project with grants that are live or changed in the last day, it reads the
 * policy once, then:
 *
 * - settles ACTIVATING grants (a crash or an unknown outcome left them): the
 *   binding is there → ACTIVE, it is not (and the write is long over) →
 *   FAILED; the request that made the grant is settled with it;
 * - marks ACTIVE grants whose binding is missing or changed as
 *   `externallyModified` (sticky, with a timeline entry);
 * - removes the bindings of FAILED and REVOKED grants that are still there
 *   (an IAM write that landed after our client gave up);
 * - reports activation bindings that no record accounts for (orphans);
 * - purges every expired activation binding, so that it stops counting
 *   against IAM's limits;
 * - brings the Chat cards of requests settled here, and of requests that
 *   expired, up to date (docs/chat.md).
 *
 * Each policy is written at most once per run (with the etag read; a
 * conflict leaves it to the next run), and not at all when nothing changed.
 */
import {ACTIVATION_WRITE_BUDGET_MS} from '../activation/activator';
import {
  isExpiredActivation,
  removeActivation,
  sameActivation,
} from '../activation/policy-edit';
import type {RequestAction} from '../approvals/transition';
import {transition} from '../approvals/transition';
import {parseActivation} from '../eligibility/conditions';
import {AppError, ConflictError, NotFoundError} from '../errors';
import {grantFacts} from '../events/events';
import type {Logger} from '../log';
import {showOnChat} from '../approvals/chat-cards';
import {effectiveState} from '../approvals/transition';
import type {AccessRequest} from '../approvals/types';
import type {
  ChatCards,
  EventPublisher,
  GrantStore,
  IamBinding,
  IamPolicy,
  ProjectIamPort,
  RequestStore,
} from '../ports';
import {logGrantChange} from './grant-log';
import {
  activated,
  effectiveGrantState,
  failed,
  grantActivation,
  grantBinding,
  record,
} from './ledger';
import type {Grant} from './types';

/** What one run found and did. */
export interface ReconcileSummary {
  projectsRead: number;
  grantsSettled: number;
  driftFound: number;
  orphans: Array<{project: string; role: string; member: string; end: string}>;
  bindingsPurged: number;
  policiesWritten: number;
  /** APPROVED requests whose outcome was recorded on their grant only. */
  requestsSettled: number;
  /** Requests whose Chat cards were brought up to date (settled, expired). */
  cardsUpdated: number;
  /** Projects that could not be read or written, with the reason. */
  errors: Array<{project: string; error: string}>;
}

export interface Reconciler {
  run(): Promise<ReconcileSummary>;
}

export interface ReconcilerDeps {
  grants: GrantStore;
  iam: ProjectIamPort;
  /** To settle the request of a grant settled here. */
  requests?: RequestStore;
  /** Publishes ActivationExternallyModified; absent without NOTIFICATION_TOPIC. */
  events?: EventPublisher;
  /** The requests' Chat cards; absent without CHAT_SPACE or CHAT_DIRECT_MESSAGES. */
  chat?: ChatCards;
  log: Logger;
  now?: () => Date;
  /** Projects read at once. */
  concurrency?: number;
}

/** How far back a run looks: grants live, or changed, in the last day. */
export const RECONCILE_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * An ACTIVATING grant younger than this may still be being written: left
 * alone. The activator starts no write past its budget, and the adapter's
 * deadline ends the last one 30 s later.
 */
export const SETTLE_AFTER_MS = ACTIVATION_WRITE_BUDGET_MS + 60_000;

const SYSTEM = 'system';

/** Whether the policy holds exactly the binding the grant wrote. */
function holds(policy: IamPolicy, grant: Grant): boolean {
  const written = grantBinding(grant);
  return (policy.bindings ?? []).some(b => sameActivation(b, written));
}

/**
 * `binding` is the grant's, for `member`, whatever its description says:
 * same role, title and window expression.
 */
function sameWindow(
  binding: IamBinding,
  grant: Grant,
  member: string,
): boolean {
  const b = grant.binding;
  return (
    b.member === member &&
    binding.role === b.role &&
    binding.members.includes(member) &&
    binding.condition?.title === b.title &&
    binding.condition?.expression === b.expression
  );
}

/** The same binding with another description, or missing altogether. */
function driftOf(policy: IamPolicy, grant: Grant): string {
  const changed = (policy.bindings ?? []).some(p =>
    sameWindow(p, grant, grant.binding.member),
  );
  return changed
    ? 'The binding in the IAM policy was changed outside JIT Access (its description differs)'
    : 'The binding is no longer in the IAM policy: it was removed or changed outside JIT Access';
}

/**
 * A later grant of the same holder and role whose binding is in the policy:
 * activating the role again removed this one's binding (docs/design.md §1).
 */
function replacedBy(
  grant: Grant,
  grants: readonly Grant[],
  policy: IamPolicy,
): Grant | undefined {
  return grants.find(
    g =>
      g.id !== grant.id &&
      g.user === grant.user &&
      g.role === grant.role &&
      g.sortKey > grant.sortKey &&
      holds(policy, g),
  );
}

/** `end` of an activation binding, or undefined for any other binding. */
function activationEnd(binding: IamBinding): Date | undefined {
  return parseActivation(binding.condition)?.end;
}

export function makeReconciler(deps: ReconcilerDeps): Reconciler {
  const {grants: store, iam, requests, chat, log} = deps;
  const now = deps.now ?? (() => new Date());
  const concurrency = deps.concurrency ?? 8;

  /** Writes a grant's new record unless it changed meanwhile. */
  async function save(before: Grant, after: Grant): Promise<boolean> {
    try {
      const saved = await store.change(before.id, latest =>
        latest && latest.updatedAt === before.updatedAt
          ? {ok: true, grant: after}
          : {ok: false, error: new ConflictError('changed meanwhile')},
      );
      logGrantChange(log, saved);
      return true;
    } catch (e) {
      if (e instanceof ConflictError || e instanceof NotFoundError)
        return false;
      throw e;
    }
  }

  /** Up to 500 stored requests in a state; none (and an error said) if unreadable. */
  async function requestsIn(
    state: 'APPROVED' | 'PENDING',
    summary: ReconcileSummary,
  ): Promise<AccessRequest[]> {
    if (!requests) return [];
    try {
      return await requests.listByState(state, 500);
    } catch (e) {
      summary.errors.push({
        project: '(requests)',
        error:
          e instanceof AppError ? e.message : 'The requests could not be read',
      });
      return [];
    }
  }

  /**
   * APPROVED requests whose grant is settled (the request's own update was
   * lost): recorded as the grant says. One query; the grants are read by id.
   */
  async function settleApproved(
    summary: ReconcileSummary,
    recent: readonly Grant[],
  ): Promise<void> {
    const approved = await requestsIn('APPROVED', summary);
    for (const r of approved) {
      const g = recent.find(
        x => x.origin === r.id && x.start === r.activation?.start,
      );
      if (!g || (g.state !== 'ACTIVE' && g.state !== 'FAILED')) continue;
      try {
        if (
          await settleRequest(
            summary,
            g,
            g.state === 'FAILED'
              ? (g.error ?? 'The IAM write failed')
              : undefined,
          )
        ) {
          summary.requestsSettled++;
        }
      } catch (e) {
        summary.errors.push({
          project: r.project,
          error:
            e instanceof AppError
              ? e.message
              : 'The request could not be settled',
        });
      }
    }
  }

  /** Brings a request's Chat cards up to date; never fails the run. */
  async function updateCards(
    request: AccessRequest,
    summary: ReconcileSummary,
  ): Promise<void> {
    if (!chat || !requests || !request.chat?.messages.length) return;
    await showOnChat({chat, store: requests, log}, request, false);
    summary.cardsUpdated++;
  }

  /**
   * Requests that expired while their cards still offer Approve and Deny:
   * nothing else ever changes them, so the run updates their cards once
   * (`final` then keeps them out of the next runs).
   */
  async function closeExpiredCards(summary: ReconcileSummary): Promise<void> {
    if (!chat) return;
    const pending = await requestsIn('PENDING', summary);
    const at = now();
    for (const r of pending) {
      if (effectiveState(r, at) !== 'EXPIRED') continue;
      if (!r.chat?.messages.length || r.chat.final) continue;
      await updateCards(r, summary);
    }
  }

  /** Settles the request that made a grant, when it still waits for it. */
  async function settleRequest(
    summary: ReconcileSummary,
    grant: Grant,
    error?: string,
  ): Promise<boolean> {
    if (!requests || grant.origin === 'self') return false;
    const action: RequestAction =
      error === undefined
        ? {type: 'activated', start: grant.start}
        : {type: 'activationFailed', start: grant.start, error};
    try {
      const {request} = await requests.change(grant.origin, current =>
        current
          ? transition(current, action, SYSTEM, now())
          : {ok: false, error: new NotFoundError('Request not found')},
      );
      await updateCards(request, summary);
      return true;
    } catch (e) {
      // Already settled, or moved on: the grant record is what counts here.
      if (!(e instanceof AppError) || e.httpStatus >= 500) throw e;
      return false;
    }
  }

  async function reconcileProject(
    project: string,
    grants: Grant[],
    summary: ReconcileSummary,
  ): Promise<void> {
    const policy = await iam.getIamPolicy(project);
    summary.projectsRead++;
    const at = now();
    let edited: IamPolicy = policy;
    const afterWrite: Array<[Grant, Grant]> = [];
    const updates: Array<[Grant, Grant, string | undefined]> = [];

    for (const g of grants) {
      const state = effectiveGrantState(g, at);
      const present = holds(policy, g);
      if (state === 'ACTIVATING') {
        const by = present ? undefined : replacedBy(g, grants, policy);
        if (present) {
          updates.push([g, activated(g, at, SYSTEM), undefined]);
        } else if (at.getTime() - Date.parse(g.createdAt) >= SETTLE_AFTER_MS) {
          // Whether it never landed or landed and was replaced, the policy
          // cannot tell; either way no binding of it exists.
          const error = by
            ? `The binding is not in the policy: the IAM write did not land, or a later activation of the role (grant ${by.id}) replaced it`
            : 'The IAM write did not land: the binding is not in the policy';
          updates.push([g, failed(g, error, at, SYSTEM), error]);
        }
      } else if (
        state === 'ACTIVE' &&
        !present &&
        replacedBy(g, grants, policy)
      ) {
        const by = replacedBy(g, grants, policy)!;
        updates.push([
          g,
          record(
            g,
            {
              at,
              actor: SYSTEM,
              event: 'replaced',
              detail: `Replaced by grant ${by.id}: the role was activated again, which removes the earlier binding`,
            },
            {end: by.start},
          ),
          undefined,
        ]);
      } else if (state === 'ACTIVE' && !present && !g.externallyModified) {
        updates.push([
          g,
          record(
            g,
            {
              at,
              actor: SYSTEM,
              event: 'externallyModified',
              detail: driftOf(policy, g),
            },
            {externallyModified: true},
          ),
          undefined,
        ]);
        summary.driftFound++;
      } else if ((state === 'FAILED' || state === 'REVOKED') && present) {
        const without = removeActivation(edited, g.user, grantActivation(g));
        if (without && Date.parse(g.end) > at.getTime()) {
          edited = without;
          afterWrite.push([
            g,
            record(g, {
              at,
              actor: SYSTEM,
              event: 'leftoverRemoved',
              detail: `The binding of this ${state} grant was still in the IAM policy (an IAM write that landed late); removed`,
            }),
          ]);
        }
      }
    }

    // Orphans: live activation bindings of ours that no record accounts for.
    const live = (edited.bindings ?? []).filter(b => {
      const end = activationEnd(b);
      return end !== undefined && end.getTime() > at.getTime();
    });
    for (const b of live) {
      for (const member of b.members) {
        const known = grants.some(g => sameWindow(b, g, member));
        if (!known) {
          summary.orphans.push({
            project,
            role: b.role,
            member,
            end: activationEnd(b)!.toISOString(),
          });
        }
      }
    }

    // Expired activation bindings of ours, whoever they were for, as every
    // activation write purges them (policy-edit.ts).
    const kept = (edited.bindings ?? []).filter(
      b => !isExpiredActivation(b, at),
    );
    const purged = (edited.bindings ?? []).length - kept.length;
    if (purged > 0) edited = {...edited, version: 3, bindings: kept};

    if (edited !== policy) {
      try {
        await iam.setIamPolicy(project, edited, {
          requestReason:
            'JIT Access reconciliation: removing expired and leftover activation bindings',
        });
        summary.policiesWritten++;
        summary.bindingsPurged += purged + afterWrite.length;
        for (const [before, after] of afterWrite) {
          if (await save(before, after)) summary.grantsSettled++;
        }
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        // Someone wrote the policy meanwhile: the next run sees it again.
        summary.errors.push({
          project,
          error:
            'The IAM policy changed during reconciliation; left to the next run',
        });
      }
    }

    for (const [before, after, error] of updates) {
      try {
        if (await save(before, after)) {
          if (before.state === 'ACTIVATING') {
            summary.grantsSettled++;
            if (await settleRequest(summary, after, error)) {
              summary.requestsSettled++;
            }
          }
          if (after.externallyModified && !before.externallyModified) {
            // Once per grant, as the flag is; the publisher never throws.
            await deps.events?.publish(
              'ActivationExternallyModified',
              grantFacts(after, {detail: after.timeline.at(-1)?.detail}),
            );
          }
        }
      } catch (e) {
        // One record that cannot be written does not stop the others.
        summary.errors.push({
          project,
          error: `grant ${before.id}: ${e instanceof AppError ? e.message : 'could not be recorded'}`,
        });
      }
    }
  }

  return {
    async run() {
      const started = now();
      const summary: ReconcileSummary = {
        projectsRead: 0,
        grantsSettled: 0,
        driftFound: 0,
        orphans: [],
        bindingsPurged: 0,
        policiesWritten: 0,
        requestsSettled: 0,
        cardsUpdated: 0,
        errors: [],
      };
      const recent = await store.listRecent(
        new Date(started.getTime() - RECONCILE_LOOKBACK_MS),
      );
      const byProject = new Map<string, Grant[]>();
      for (const g of recent) {
        const list = byProject.get(g.project) ?? [];
        list.push(g);
        byProject.set(g.project, list);
      }
      const projects = [...byProject.keys()].sort();
      let next = 0;
      const worker = async () => {
        while (next < projects.length) {
          const project = projects[next++]!;
          try {
            await reconcileProject(project, byProject.get(project)!, summary);
          } catch (e) {
            const error =
              e instanceof AppError ? e.message : 'Reconciliation failed';
            summary.errors.push({project, error});
            log.error(
              `Reconciliation of ${project} failed`,
              {event: 'reconcile.projectFailed', project},
              {error: e},
            );
          }
        }
      };
      await Promise.all(
        Array.from({length: Math.min(concurrency, projects.length)}, worker),
      );
      await settleApproved(summary, recent);
      await closeExpiredCards(summary);
      log.notice(
        `Reconciliation: ${summary.projectsRead} projects read, ${summary.grantsSettled} grants settled, ${summary.driftFound} drifted, ${summary.orphans.length} orphans, ${summary.bindingsPurged} bindings purged, ${summary.policiesWritten} policies written`,
        {event: 'reconcile.run'},
        {...summary, ms: now().getTime() - started.getTime()},
      );
      return summary;
    },
  };
}

/**
 * Activation through the ledger (docs/grants.md): every path that writes an
 * activation binding goes through here. The records are written first, as
 * ACTIVATING, in one batch; then the bindings, in the activator's one
 * read-modify-write; then the outcome, in one more batch. So no binding of
 * ours exists without a record, and a crash between the steps leaves
 * ACTIVATING records that reconciliation settles from the policy.
 *
 * A write whose outcome is unknown (OutcomeUnknownError: no answer, and the
 * policy could not be read back) is never recorded as FAILED: its records
 * stay ACTIVATING until reconciliation reads the policy.
 */
import {activationBinding} from '../activation/policy-edit';
import type {ActivationGrant, Activator} from '../activation/types';
import {AbortedError, AppError, OutcomeUnknownError} from '../errors';
import type {Logger} from '../log';
import type {GrantStore} from '../ports';
import {activated, failed, newGrant, newGrantId, record} from './ledger';
import {logGrantChange} from './grant-log';
import type {Grant} from './types';

/** One activation call, as the ledger records it. */
export interface RecordedActivationInput {
  project: string;
  user: string;
  grants: ActivationGrant[];
  /** The condition description (docs/design.md §1). */
  description: string;
  justification: string;
  /** `self`, or the request id. */
  origin: string;
  approvers: string[];
  /** Who caused the activation: the user, or the approver who reached the count. */
  actor: string;
}

export interface RecordedActivator {
  /** Records, writes and settles; resolves with the ACTIVE records. */
  activate(input: RecordedActivationInput): Promise<Grant[]>;
}

export interface RecordedActivatorDeps {
  activator: Activator;
  store: GrantStore;
  log: Logger;
  now?: () => Date;
}

/** The safe text recorded on a FAILED grant or request. */
export function failureText(err: unknown): string {
  return err instanceof AppError
    ? err.message
    : 'The IAM policy could not be written';
}

export function makeRecordedActivator(
  deps: RecordedActivatorDeps,
): RecordedActivator {
  const {activator, store, log} = deps;
  const now = deps.now ?? (() => new Date());

  /** Records an outcome; a failure is logged, never thrown (reconciliation settles). */
  async function settle(grants: Grant[]): Promise<void> {
    try {
      await store.putAll(grants);
    } catch (e) {
      log.error(
        'The outcome of an activation could not be recorded; its grants read ACTIVATING until reconciliation settles them',
        {event: 'grant.recordFailed', project: grants[0]?.project ?? ''},
        {error: e, grants: grants.map(g => g.id)},
      );
      return;
    }
    for (const g of grants) logGrantChange(log, g);
  }

  return {
    async activate(input) {
      const at = now();
      const records = input.grants.map(g =>
        newGrant(
          {
            user: input.user,
            project: input.project,
            role: g.role,
            ...(g.resourceCondition === undefined
              ? {}
              : {resourceCondition: g.resourceCondition}),
            start: g.start,
            end: g.end,
            justification: input.justification,
            origin: input.origin,
            approvers: input.approvers,
            binding: activationBinding(input.user, g, input.description),
          },
          newGrantId(),
          at,
          input.actor,
        ),
      );
      // Before IAM: a Firestore failure here fails the call with nothing written.
      await store.createAll(records);
      for (const g of records) logGrantChange(log, g);
      // The holder's live grants of the same roles: the write replaces their
      // bindings (an activation of an active role extends it), so their
      // records end when it lands. Read while IAM is written.
      const roles = new Set(input.grants.map(g => g.role));
      // Always asked: the eligibility listing's ACTIVE comes from Cloud Asset
      // Inventory, which lags IAM, so it cannot say when to skip this.
      const previous: Promise<Grant[]> = store
        .list({
          as: 'holder',
          email: input.user,
          project: input.project,
          state: 'ACTIVE',
          limit: 100,
        })
        .then(
          page => page.grants.filter(g => roles.has(g.role)),
          (e: unknown) => {
            log.warn(
              'Could not read the grants this activation replaces; reconciliation ends them',
              {event: 'grant.replacedUnknown', project: input.project},
              {error: e},
            );
            return [] as Grant[];
          },
        );
      try {
        await activator.activate(
          input.project,
          input.user,
          input.grants,
          input.description,
        );
      } catch (e) {
        if (e instanceof OutcomeUnknownError) {
          log.warn(
            `The IAM write on ${input.project} went unanswered and could not be read back; its grants stay ACTIVATING until reconciliation`,
            {event: 'grant.outcomeUnknown', project: input.project},
            {grants: records.map(g => g.id)},
          );
        } else {
          const error = failureText(e);
          await settle(records.map(g => failed(g, error, now())));
        }
        throw e;
      }
      const at2 = now();
      const active = records.map(g => activated(g, at2));
      await settle(active);
      // Each in a transaction, so that a revoke meanwhile is never overwritten.
      // The lookup may run after this call's own records read ACTIVE: they
      // replace the others, never themselves.
      const own = new Set(records.map(g => g.id));
      for (const g of await previous) {
        if (own.has(g.id) || Date.parse(g.end) <= at2.getTime()) continue;
        const by = active.find(a => a.role === g.role)!;
        await store
          .change(g.id, latest =>
            latest && latest.state === 'ACTIVE'
              ? {
                  ok: true,
                  grant: record(
                    latest,
                    {
                      at: at2,
                      actor: input.actor,
                      event: 'replaced',
                      detail: `Replaced by grant ${by.id}: the role was activated again, which removes the earlier binding`,
                    },
                    {end: by.start},
                  ),
                }
              : {ok: false, error: new AbortedError('no longer active')},
          )
          .then(
            ended => logGrantChange(log, ended),
            () => {},
          );
      }
      return active;
    },
  };
}

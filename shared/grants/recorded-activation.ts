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
import {AppError, OutcomeUnknownError} from '../errors';
import type {Logger} from '../log';
import type {GrantStore} from '../ports';
import {activated, failed, newGrant, newGrantId} from './ledger';
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

/** The safe text recorded on a FAILED grant. */
function failureText(err: unknown): string {
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
      const active = records.map(g => activated(g, now()));
      await settle(active);
      return active;
    },
  };
}

/**
 * Self-approved activation (JIT): the use case behind
 * `POST /api/projects/{project}/roles/self-activate`, and behind any other
 * entry point that activates roles for their holder.
 *
 * Every entitlement must be JIT-eligible for the user, or nothing is written
 * and the refusal names it. All of them are activated with one window and one
 * IAM read-modify-write. Each call is the audit event `api.activateRole`,
 * refusals included.
 */
import {audited, auditedInput} from '../audit';
import type {Config} from '../config';
import {formatTimestamp} from '../eligibility/conditions';
import {
  describeEntitlement,
  entitlementKey,
  EntitlementRef,
  resolveEntitlement,
} from '../eligibility/entitlement-ref';
import type {EligibilityService} from '../eligibility/types';
import {InvalidArgumentError, PermissionDeniedError} from '../errors';
import type {Logger} from '../log';
import {makeRecordedActivator} from '../grants/recorded-activation';
import type {EventPublisher, GrantStore, Notifier} from '../ports';
import {selfApprovedDescription} from './description';
import {checkDurationMinutes, checkJustification} from './input-checks';
import {activationWindow, type ActivationGrant, type Activator} from './types';

/** A self-activation as an entry point read it; checked here. */
export interface SelfActivationInput {
  project: string;
  entitlements: EntitlementRef[];
  justification: string;
  durationMinutes: number;
}

/** One activated entitlement, as the API answers it. */
export interface Activation {
  role: string;
  resourceCondition?: string;
  project: string;
  /** RFC 3339, whole seconds. */
  start: string;
  end: string;
  /** The grant record (GET /api/grants/{id}; revoke it to end access early). */
  grantId: string;
}

export interface SelfActivation {
  /**
   * Activates every entitlement for `user`, or none: 400 for bad input, 403
   * naming an entitlement the user may not self-activate.
   */
  activate(user: string, input: SelfActivationInput): Promise<Activation[]>;
}

/** What self-activation is built over. */
export interface SelfActivationDeps {
  eligibility: EligibilityService;
  activator: Activator;
  /** The ledger: a record for every binding written. */
  grants: GrantStore;
  config: Pick<Config, 'activation' | 'justification'>;
  /** Publishes to NOTIFICATION_TOPIC; absent when it is not set. */
  events?: EventPublisher;
  /** Mails the user (NOTIFY_SELF_ACTIVATION); absent when it is not set. */
  notifier?: Pick<Notifier, 'notifySelfActivation'>;
  log: Logger;
  now?: () => Date;
}

/** Builds the use case; checks its dependencies once. */
export function makeSelfActivation(deps: SelfActivationDeps): SelfActivation {
  const {
    eligibility,
    activator,
    grants: store,
    config,
    events,
    notifier,
    log,
  } = deps;
  if (!eligibility || !activator || !store || !config || !log) {
    throw new Error(
      'self-activation needs eligibility, an activator, a grant store, the config and a logger',
    );
  }
  const now = deps.now ?? (() => new Date());
  const ledger = makeRecordedActivator({activator, store, log, now});

  /** How many entitlements one call may activate. */
  function checkCount(refs: EntitlementRef[]): void {
    const max = config.activation.maxRoles;
    if (refs.length < 1 || refs.length > max) {
      throw new InvalidArgumentError(
        `roles must list from 1 to ${max} entitlements`,
      );
    }
  }

  /** Each entitlement once; `key` tells which names are the same. */
  function checkDistinct<T extends {role: string; resourceCondition?: string}>(
    entitlements: T[],
    key: (e: T) => string,
  ): void {
    const keys = new Set<string>();
    for (const e of entitlements) {
      const k = key(e);
      if (keys.has(k)) {
        throw new InvalidArgumentError(
          `roles lists ${describeEntitlement(e)} more than once`,
        );
      }
      keys.add(k);
    }
  }

  return {
    activate(user, input) {
      const {project} = input;
      return audited(
        log,
        'api.activateRole',
        {
          labels: {user, project},
          fields: {
            // Bounded like the other input: the count is checked inside.
            entitlements: input.entitlements
              .slice(0, config.activation.maxRoles + 1)
              .map(e => auditedInput(describeEntitlement(e))),
            justification: auditedInput(input.justification),
            durationMinutes: auditedInput(input.durationMinutes),
          },
        },
        async details => {
          checkCount(input.entitlements);
          const justification = checkJustification(input.justification, config);
          const minutes = checkDurationMinutes(input.durationMinutes, config);
          // Named twice the same way: refused before any lookup.
          checkDistinct(input.entitlements, ref =>
            JSON.stringify([entitlementKey(ref), ref.byRoleOnly]),
          );

          const {entitlements} = await eligibility.listEntitlements(
            user,
            project,
          );
          const resolved = input.entitlements.map(ref =>
            resolveEntitlement(ref, entitlements, project),
          );
          for (const e of resolved) {
            if (e.activationType !== 'JIT') {
              throw new PermissionDeniedError(
                `You are not eligible to self-activate ${describeEntitlement(e)} on project ${project}: it needs approval (request it instead)`,
              );
            }
          }
          // A plain role and its {role, resourceCondition} name one entitlement.
          checkDistinct(resolved, entitlementKey);

          const {start, end} = activationWindow(now(), minutes);
          details.fields = {
            ...details.fields,
            entitlements: resolved.map(describeEntitlement),
            start: formatTimestamp(start),
            end: formatTimestamp(end),
          };
          const grants: ActivationGrant[] = resolved.map(e => ({
            role: e.role,
            ...(e.resourceCondition === undefined
              ? {}
              : {resourceCondition: e.resourceCondition}),
            start,
            end,
          }));
          const records = await ledger.activate({
            project,
            user,
            grants,
            description: selfApprovedDescription(justification),
            justification,
            origin: 'self',
            approvers: [],
            actor: user,
          });
          // Before the answer (Cloud Run throttles the CPU after it), side
          // by side; a failure of either is logged and never undoes the grant.
          const [event, mail] = await Promise.all([
            events?.publish('ActivationSelfApproved', {
              beneficiary: user,
              project,
              roles: grants.map(g => g.role),
              start: start.toISOString(),
              end: end.toISOString(),
              justification,
            }),
            notifier?.notifySelfActivation({
              user,
              project,
              entitlements: grants.map(g => ({
                role: g.role,
                ...(g.resourceCondition === undefined
                  ? {}
                  : {resourceCondition: g.resourceCondition}),
              })),
              justification,
              start: start.toISOString(),
              end: end.toISOString(),
            }),
          ]);
          details.fields = {
            ...details.fields,
            ...(event ? {event} : {}),
            ...(mail ? {mail} : {}),
          };
          return grants.map((g, i) => ({
            role: g.role,
            ...(g.resourceCondition === undefined
              ? {}
              : {resourceCondition: g.resourceCondition}),
            project,
            start: formatTimestamp(g.start),
            end: formatTimestamp(g.end),
            grantId: records[i]!.id,
          }));
        },
      );
    },
  };
}

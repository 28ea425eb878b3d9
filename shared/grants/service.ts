/**
 * The use cases of the grant ledger (docs/grants.md): list and read grant
 * records, and end access early (revoke). A holder sees and revokes their
 * own grants; a reviewer sees the grants they approved; an auditor
 * (AUDITOR_PRINCIPALS) sees and revokes every grant, with a reason. Anyone
 * else gets 404, as for requests.
 */
import type {Activator} from '../activation/types';
import {audited, auditedInput} from '../audit';
import {
  AbortedError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors';
import {reasonProblem} from '../limits';
import type {Logger} from '../log';
import {grantFacts} from '../events/events';
import type {EventPublisher, GrantStore, Notifier} from '../ports';
import type {AuditorCheck} from './auditors';
import {logGrantChange} from './grant-log';
import {
  asReadGrant,
  effectiveGrantState,
  grantActivation,
  revoked,
  revokeRefusal,
} from './ledger';
import {
  REVOCATION_DELAY_NOTE,
  type Grant,
  type GrantState,
  type StoredGrantState,
} from './types';

/** The most grants one page returns. */
export const GRANT_PAGE_LIMIT = 50;

export type GrantView = 'holder' | 'reviewer' | 'auditor';

export interface GrantFilters {
  state?: GrantState;
  project?: string;
  /** Auditors only: the holder. */
  user?: string;
  pageToken?: string;
}

export interface Revocation {
  grant: Grant;
  /** Whether a binding was found and removed (false: it was already gone). */
  bindingRemoved: boolean;
  /** IAM's propagation delay, to show the caller. */
  note: string;
}

export interface GrantService {
  list(
    user: string,
    as: GrantView,
    filters: GrantFilters,
  ): Promise<{grants: Grant[]; nextPageToken?: string; auditor?: boolean}>;
  get(user: string, id: string): Promise<Grant>;
  revoke(user: string, id: string, reason?: string): Promise<Revocation>;
}

export interface GrantServiceDeps {
  store: GrantStore;
  activator: Pick<Activator, 'deactivate'>;
  auditors: AuditorCheck;
  /** Mails the approvers of a revoked grant; absent without mail. */
  notifier?: Pick<Notifier, 'notifyRevoked'>;
  /** Publishes ActivationRevoked; absent without NOTIFICATION_TOPIC. */
  events?: EventPublisher;
  log: Logger;
  now?: () => Date;
}

const NOT_FOUND = 'Grant not found';

export function makeGrantService(deps: GrantServiceDeps): GrantService {
  const {store, activator, auditors, notifier, events, log} = deps;
  const now = deps.now ?? (() => new Date());

  /** Whether `user` may see `grant`; auditors are asked only when needed. */
  async function mayRead(user: string, grant: Grant): Promise<boolean> {
    if (grant.user === user || grant.approvers.includes(user)) return true;
    return auditors.isAuditor(user);
  }

  function stored(state: GrantState | undefined): StoredGrantState | undefined {
    // EXPIRED is ACTIVE past its end: asked of the store as ACTIVE.
    return state === 'EXPIRED' ? 'ACTIVE' : state;
  }

  return {
    async list(user, as, filters) {
      if (filters.user !== undefined && as !== 'auditor') {
        throw new InvalidArgumentError(
          'user can only be given with as=auditor',
        );
      }
      if (as === 'auditor' && !(await auditors.isAuditor(user))) {
        throw new PermissionDeniedError(
          'Only auditors (AUDITOR_PRINCIPALS) may list every grant',
        );
      }
      const at = now();
      const state = filters.state;
      // The holder's view tells the UI whether to offer the auditor's.
      const auditor =
        as === 'holder' && auditors.configured
          ? auditors.isAuditor(user).catch(e => {
              log.warn(
                'Could not tell whether the user is an auditor',
                {event: 'grant.auditorCheckFailed'},
                {error: e},
              );
              return false;
            })
          : Promise.resolve(false);
      const page = await store.list({
        as,
        email: user,
        ...(stored(state) === undefined ? {} : {state: stored(state)}),
        ...(filters.project === undefined ? {} : {project: filters.project}),
        ...(filters.user === undefined ? {} : {user: filters.user}),
        ...(filters.pageToken === undefined
          ? {}
          : {pageToken: filters.pageToken}),
        limit: GRANT_PAGE_LIMIT,
      });
      const grants = page.grants
        .map(g => asReadGrant(g, at))
        // ACTIVE and EXPIRED are one stored state: tell them apart here.
        .filter(g => state === undefined || g.state === state);
      return {
        grants,
        ...(page.nextPageToken === undefined
          ? {}
          : {nextPageToken: page.nextPageToken}),
        ...(as === 'holder' ? {auditor: await auditor} : {}),
      };
    },

    async get(user, id) {
      const grant = await store.get(id);
      if (!grant || !(await mayRead(user, grant))) {
        throw new NotFoundError(NOT_FOUND);
      }
      return asReadGrant(grant, now());
    },

    revoke(user, id, reason) {
      return audited(
        log,
        'api.revokeGrant',
        {labels: {user, grantId: id}, fields: {reason: auditedInput(reason)}},
        async details => {
          const current = await store.get(id);
          if (!current) throw new NotFoundError(NOT_FOUND);
          const holder = current.user === user;
          if (!holder && !(await auditors.isAuditor(user))) {
            throw new NotFoundError(NOT_FOUND);
          }
          details.labels = {
            ...details.labels,
            project: current.project,
            role: current.role,
            holder: current.user,
          };
          const text = reason?.trim() || undefined;
          if (!holder && text === undefined) {
            throw new InvalidArgumentError(
              "A reason is required to end another user's access",
            );
          }
          if (text !== undefined) {
            const problem = reasonProblem('reason', text);
            if (problem) throw new InvalidArgumentError(problem);
          }
          const state = effectiveGrantState(current, now());
          if (state !== 'ACTIVE') {
            throw new AbortedError(revokeRefusal(current, state));
          }
          // IAM first: if it cannot be written, nothing is recorded and the
          // grant stays ACTIVE (and truthful). Of two revokes at once, both
          // may reach here; the transaction below lets one through.
          const bindingRemoved = await activator.deactivate(
            current.project,
            current.user,
            grantActivation(current),
          );
          const at = now();
          const result = await store.change(id, latest => {
            if (!latest)
              return {ok: false, error: new NotFoundError(NOT_FOUND)};
            try {
              return {ok: true, grant: revoked(latest, user, text, at)};
            } catch (e) {
              return {ok: false, error: e as AbortedError};
            }
          });
          logGrantChange(log, result);
          details.fields = {...details.fields, bindingRemoved};
          if (!bindingRemoved) {
            log.warn(
              `Grant ${id} was revoked, but its binding was no longer in the IAM policy of ${current.project}`,
              {
                event: 'grant.bindingMissing',
                grantId: id,
                project: current.project,
              },
            );
          }
          if (notifier && result.origin !== 'self') {
            const mail = await notifier.notifyRevoked({
              grantId: result.id,
              requestId: result.origin,
              user: result.user,
              project: result.project,
              role: result.role,
              ...(result.resourceCondition === undefined
                ? {}
                : {resourceCondition: result.resourceCondition}),
              approvers: result.approvers,
              revokedBy: user,
              ...(text === undefined ? {} : {reason: text}),
              at: at.toISOString(),
              end: result.end,
            });
            details.fields = {...details.fields, mail};
          }
          if (events) {
            // The publisher records its own failure and never throws.
            const event = await events.publish(
              'ActivationRevoked',
              grantFacts(result, {
                actor: user,
                ...(text === undefined ? {} : {reason: text}),
              }),
            );
            details.fields = {...details.fields, event};
          }
          return {grant: result, bindingRemoved, note: REVOCATION_DELAY_NOTE};
        },
      );
    },
  };
}

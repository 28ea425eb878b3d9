/**
 * Services for route tests: the real use cases over the ports a test gives
 * (in-memory eligibility, the fake Google Cloud, the Firestore emulator), in
 * the shape the composition root builds. A use case whose ports the test did
 * not give throws when a route asks for it.
 */
import {makeSelfActivation} from '../../shared/activation/self-activation';
import type {Activator} from '../../shared/activation/types';
import {pendingRequestsOf} from '../../shared/approvals/pending';
import type {ApprovalService} from '../../shared/approvals/service';
import type {Config} from '../../shared/config';
import {
  makeEntitlementListing,
  type PendingRequestsLookup,
} from '../../shared/eligibility/listing';
import type {EligibilityService} from '../../shared/eligibility/types';
import {makeReadiness} from '../../shared/health';
import {makeLogger, type Logger} from '../../shared/log';
import {makeAuditorCheck} from '../../shared/grants/auditors';
import {makeReconciler} from '../../shared/grants/reconcile';
import {makeGrantService} from '../../shared/grants/service';
import type {
  ChatCards,
  DirectoryPort,
  EventPublisher,
  GrantStore,
  IdentityVerifier,
  Notifier,
  ProjectIamPort,
  RequestStore,
} from '../../shared/ports';
import {testGrantStore} from './grants';
import {once} from '../../functions/deps';
import type {Services} from '../../functions/services';

export interface ServiceParts {
  config: Config;
  log?: Logger;
  verifier?: IdentityVerifier;
  eligibility?: EligibilityService;
  activator?: Activator;
  /** Events of self-activation, revocations and reconciliation (the approval service is given its own). */
  events?: EventPublisher;
  approvals?: ApprovalService;
  /** The mail of self-activation (NOTIFY_SELF_ACTIVATION). */
  notifier?: Notifier;
  /** The caller's pending requests; else those of `requests`, if given. */
  pendingRequests?: PendingRequestsLookup;
  now?: () => Date;
  /** The ledger; by default a Firestore store on the emulator, under the config's prefix. */
  grants?: GrantStore;
  /** Group resolution for AUDITOR_PRINCIPALS groups. */
  directory?: Pick<DirectoryPort, 'groupsOf'>;
  /** What reconciliation reads and writes policies through. */
  iam?: ProjectIamPort;
  /** The requests reconciliation settles. */
  requests?: RequestStore;
  /** The readiness checks; none unless given. */
  readinessChecks?: Record<string, () => Promise<void>>;
  /** The Chat cards reconciliation brings up to date. */
  chatCards?: ChatCards;
  /** The `chat` target's verifier and app. */
  chat?: Services['chat'];
}

function missing(what: string): never {
  throw new Error(`this test gave no ${what}`);
}

export function servicesOver(parts: ServiceParts): Services {
  const {config} = parts;
  const log = parts.log ?? makeLogger(() => {});
  const eligibility = () => parts.eligibility ?? missing('eligibility');
  const grants = once(() => parts.grants ?? testGrantStore(config));
  const auditors = once(() =>
    makeAuditorCheck(config.auditorPrincipals, parts.directory),
  );
  return {
    config,
    log,
    verifier: async () => parts.verifier ?? missing('verifier'),
    listing: once(async () =>
      makeEntitlementListing({
        eligibility: eligibility(),
        // As functions/deps.ts: the store's query, by the approvals' rule.
        pendingRequests:
          parts.pendingRequests ??
          (parts.requests
            ? (user, project) =>
                pendingRequestsOf(
                  q => parts.requests!.list(q),
                  user,
                  project,
                  parts.now?.() ?? new Date(),
                )
            : undefined),
        log,
      }),
    ),
    selfActivation: once(async () =>
      makeSelfActivation({
        eligibility: eligibility(),
        activator: parts.activator ?? missing('activator'),
        grants: grants(),
        ...(parts.events ? {events: parts.events} : {}),
        ...(parts.notifier ? {notifier: parts.notifier} : {}),
        config,
        log,
        ...(parts.now ? {now: parts.now} : {}),
      }),
    ),
    approvals: async () => parts.approvals ?? missing('approval service'),
    grants: once(async () =>
      makeGrantService({
        store: grants(),
        activator: parts.activator ?? missing('activator'),
        auditors: auditors(),
        ...(parts.notifier ? {notifier: parts.notifier} : {}),
        ...(parts.events ? {events: parts.events} : {}),
        log,
        ...(parts.now ? {now: parts.now} : {}),
      }),
    ),
    reconciler: once(async () =>
      makeReconciler({
        grants: grants(),
        iam: parts.iam ?? missing('IAM port'),
        ...(parts.requests ? {requests: parts.requests} : {}),
        ...(parts.events ? {events: parts.events} : {}),
        ...(parts.chatCards ? {chat: parts.chatCards} : {}),
        log,
        ...(parts.now ? {now: parts.now} : {}),
      }),
    ),
    ...(parts.chat ? {chat: parts.chat} : {}),
    isAuditor: email => auditors().isAuditor(email),
    readiness: once(async () =>
      makeReadiness({
        checks: parts.readinessChecks ?? {},
        configured: {mail: config.smtp.senderAddress !== undefined},
        timeoutMs: 200,
        log,
      }),
    ),
  };
}

/**
 * What every route factory is built over: the configuration, the logger and
 * the use cases. Each use case is built on its first use, and its modules
 * and client libraries are loaded then, so that building a target loads
 * none. The composition root (functions/deps.ts) provides it; tests build
 * their own over in-memory ports.
 */
import type {SelfActivation} from '../shared/activation/self-activation';
import type {ApprovalService} from '../shared/approvals/service';
import type {ChatApp} from '../shared/chat/app';
import type {Config} from '../shared/config';
import type {EntitlementListing} from '../shared/eligibility/listing';
import type {Reconciler} from '../shared/grants/reconcile';
import type {GrantService} from '../shared/grants/service';
import type {Readiness} from '../shared/health';
import type {Logger} from '../shared/log';
import type {IdentityVerifier} from '../shared/ports';

export interface Services {
  config: Config;
  log: Logger;
  /** The IAP verifier every target puts before its routes. */
  verifier(): Promise<IdentityVerifier>;
  /** Projects, roles and peers, as the user may see them. */
  listing(): Promise<EntitlementListing>;
  /** Self-approved activation (JIT). */
  selfActivation(): Promise<SelfActivation>;
  /** Multi-party approval (MPA) requests. */
  approvals(): Promise<ApprovalService>;
  /** Grant records: list, read, revoke. */
  grants(): Promise<GrantService>;
  /** Reconciliation of the ledger with IAM. */
  reconciler(): Promise<Reconciler>;
  /** Whether the user is an auditor (AUDITOR_PRINCIPALS). */
  isAuditor(email: string): Promise<boolean>;
  /** The checks of `GET /health/ready`. */
  readiness(): Promise<Readiness>;
  /**
   * The Google Chat app (target `chat`): its token verifier and its event
   * handling. Nothing of it is loaded until the target's first call.
   */
  chat?: {
    verifier(): Promise<IdentityVerifier>;
    app(): Promise<ChatApp>;
  };
}

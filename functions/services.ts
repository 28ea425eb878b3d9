/**
 * What every route factory is built over: the configuration, the logger and
 * the use cases, each resolved on first use so that building a target loads
 * no client library. The composition root (functions/deps.ts) provides it;
 * tests build their own over in-memory ports.
 */
import type {Config} from '../shared/config';
import type {Logger} from '../shared/log';
import type {IdentityVerifier} from '../shared/http';
import type {EligibilityService} from '../shared/eligibility/types';
import type {SelfActivation} from '../shared/activation/self-activation';
import type {ApprovalService} from '../shared/approvals/service';

export interface Services {
  config: Config;
  log: Logger;
  /** The IAP verifier every target puts before its routes. */
  verifier(): IdentityVerifier;
  /** Who may activate what, and with whom. */
  eligibility(): EligibilityService;
  /** Self-approved activation (JIT). */
  selfActivation(): SelfActivation;
  /** Multi-party approval (MPA) requests. */
  approvals(): ApprovalService;
}

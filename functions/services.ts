/**
 * What every route factory is built over: the configuration, the logger and
 * the use cases, each built on first use so that building a target loads no
 * client library. The composition root (functions/deps.ts) provides it;
 * tests build their own over in-memory ports.
 */
import type {SelfActivation} from '../shared/activation/self-activation';
import type {ApprovalService} from '../shared/approvals/service';
import type {Config} from '../shared/config';
import type {EntitlementListing} from '../shared/eligibility/listing';
import type {IdentityVerifier} from '../shared/ports';
import type {Logger} from '../shared/log';

export interface Services {
  config: Config;
  log: Logger;
  /** The IAP verifier every target puts before its routes. */
  verifier(): IdentityVerifier;
  /** Projects, roles and peers, as the user may see them. */
  listing(): EntitlementListing;
  /** Self-approved activation (JIT). */
  selfActivation(): SelfActivation;
  /** Multi-party approval (MPA) requests. */
  approvals(): ApprovalService;
}

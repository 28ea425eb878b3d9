/**
 * Self-approved activation (JIT): the use case behind
 * `POST /api/projects/{project}/roles/self-activate`.
 *
 * Placeholder for the interface only; the implementation moves here from
 * functions/activate/self-activate-route.ts.
 */
import type {EntitlementRef} from '../eligibility/entitlement-ref';

/** Checked input of a self-activation. */
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
}

export interface SelfActivation {
  activate(user: string, input: SelfActivationInput): Promise<Activation[]>;
}

/** What self-activation is built over. */
export interface SelfActivationDeps {
  eligibility: import('../eligibility/types').EligibilityService;
  activator: import('./types').Activator;
  config: Pick<import('../config').Config, 'activation' | 'justification'>;
  now?: () => Date;
}

/** Builds the use case; checks its dependencies once. */
export function makeSelfActivation(deps: SelfActivationDeps): SelfActivation {
  void deps;
  throw new Error('makeSelfActivation: not moved here yet');
}

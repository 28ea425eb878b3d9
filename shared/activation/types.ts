/**
 * Activations: temporary, conditional IAM bindings (docs/design.md §1).
 */
import type {EntitlementId} from '../eligibility/types';

export interface ActivationWindow {
  start: Date;
  end: Date;
}

/**
 * The window of an activation that starts now: whole seconds, so that the
 * answer, the stored request and the IAM condition agree exactly.
 */
export function activationWindow(
  now: Date,
  durationMinutes: number,
): ActivationWindow {
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return {start, end: new Date(start.getTime() + durationMinutes * 60_000)};
}

export interface ActivationGrant extends EntitlementId, ActivationWindow {}

/** Writes activations to a project's IAM policy. */
export interface Activator {
  /**
   * Adds one binding per grant for `userEmail` in one read-modify-write
   * (merged with concurrent calls in this instance; conflicts retried),
   * purging same-role same-member temporary bindings and the user's expired
   * activations. `description` is the condition description
   * (`Self-approved, justification: …` or `Approved by …, justification: …`).
   */
  activate(
    projectId: string,
    userEmail: string,
    grants: ActivationGrant[],
    description: string,
  ): Promise<void>;
  /**
   * Removes the binding that activating `grant` for `userEmail` wrote (same
   * role, member, title and window expression, whatever its description),
   * in one read-modify-write with conflicts retried; a binding IAM merged
   * with other members keeps them. Resolves true when one was removed, false
   * when there was none (nothing is written then).
   */
  deactivate(
    projectId: string,
    userEmail: string,
    grant: ActivationGrant,
  ): Promise<boolean>;
}

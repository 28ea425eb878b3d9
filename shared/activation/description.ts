/**
 * The IAM condition descriptions of activation bindings (docs/design.md §2.1), as
 * upstream writes them: `Self-approved, justification: <justification>` and
 * `Approved by <approvers>, justification: <justification>`, within IAM's
 * 256-character limit on a condition description.
 */
import {MAX_CONDITION_DESCRIPTION_LENGTH} from '../limits';

/**
 * Lists the approvers in order while the description fits, then `+N more`;
 * the justification (at most 100 characters, checked on input) is always kept
 * whole. When not even the first approver fits, says how many approved.
 */
export function approvedDescription(
  approvers: readonly string[],
  justification: string,
): string {
  const describe = (who: string) =>
    `Approved by ${who}, justification: ${justification}`;
  const n = approvers.length;
  for (let listed = n; listed > 0; listed--) {
    const rest = n - listed;
    const text = describe(
      approvers.slice(0, listed).join(', ') +
        (rest > 0 ? ` +${rest} more` : ''),
    );
    if (text.length <= MAX_CONDITION_DESCRIPTION_LENGTH) return text;
  }
  return describe(n === 1 ? '1 reviewer' : `${n} reviewers`);
}

/** The description of a self-approved activation (the justification is at most 100 characters). */
export function selfApprovedDescription(justification: string): string {
  return `Self-approved, justification: ${justification}`;
}

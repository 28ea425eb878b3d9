/**
 * How a grant reads at a given moment: an ACTIVE grant past its end reads
 * EXPIRED. One function for the server and the UI, which bundles it.
 */
import type {GrantState} from './types';

export function effectiveGrantState(
  grant: {state: GrantState; end: string},
  now: Date,
): GrantState {
  if (grant.state === 'ACTIVE' && Date.parse(grant.end) <= now.getTime()) {
    return 'EXPIRED';
  }
  return grant.state;
}

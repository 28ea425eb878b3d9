/**
 * How a stored request reads at a moment: the one rule the server and the
 * web UI both apply (the UI bundles this module).
 */
import {
  APPROVED_STALE_MS,
  type AccessRequest,
  type RequestState,
} from './types';

/**
 * The state a request is in as read at `now`: a PENDING request past its
 * `expiresAt` is EXPIRED, and an APPROVED one whose IAM write started more
 * than two minutes ago is FAILED (the instance that was writing it is gone).
 */
export function effectiveState(
  request: AccessRequest,
  now: Date,
): RequestState {
  if (
    request.state === 'PENDING' &&
    now.getTime() >= Date.parse(request.expiresAt)
  ) {
    return 'EXPIRED';
  }
  if (request.state === 'APPROVED') {
    const since = Date.parse(
      request.activation?.start ?? request.decidedAt ?? '',
    );
    if (!(now.getTime() - since <= APPROVED_STALE_MS)) return 'FAILED';
  }
  return request.state;
}

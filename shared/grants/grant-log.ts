/**
 * One log entry per grant state change (docs/grants.md), in the shape of the
 * audit events: `event` is `grant.<what happened>`, and the labels name the
 * grant, its holder, project and role, and who acted.
 */
import type {Logger} from '../log';
import type {Grant} from './types';

/** Logs the newest timeline entry of `grant`. */
export function logGrantChange(log: Logger, grant: Grant): void {
  const last = grant.timeline[grant.timeline.length - 1];
  if (!last) return;
  log.notice(
    `grant.${last.event}: ${grant.role} for ${grant.user} on ${grant.project} (${grant.state})`,
    {
      event: `grant.${last.event}`,
      grantId: grant.id,
      user: grant.user,
      project: grant.project,
      role: grant.role,
      actor: last.actor,
    },
    {
      state: grant.state,
      origin: grant.origin,
      start: grant.start,
      end: grant.end,
      ...(last.detail === undefined ? {} : {detail: last.detail}),
      ...(grant.externallyModified ? {externallyModified: true} : {}),
    },
  );
}

/**
 * Readiness (`GET /health/ready`): whether this instance can serve requests.
 * Each check is bounded in time and runs in parallel with the others; a
 * failure is logged with its reason (a WARNING `health.notReady`), while the
 * answer only names the check, so a public probe learns nothing secret.
 */
import type {HealthCheckResponse} from './api';
import type {Logger} from './log';
import {withTimeout} from './timeout';

export interface ReadinessOptions {
  /** Each check resolves when it passes and throws why it does not. */
  checks: Record<string, () => Promise<void>>;
  /** Optional features, reported as `<name>Configured`; never a failure. */
  configured: Record<string, boolean>;
  /** The longest a check may take. */
  timeoutMs: number;
  log: Logger;
}

export type Readiness = () => Promise<HealthCheckResponse>;

/** The configuration is checked at cold start: an instance that runs has a valid one. */
export const CONFIGURATION_CHECK = 'configuration';

export function makeReadiness(options: ReadinessOptions): Readiness {
  const {checks, configured, timeoutMs, log} = options;
  return async () => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(
            check(),
            timeoutMs,
            () => new Error(`no answer within ${timeoutMs} ms`),
          );
          return [name, true] as const;
        } catch (e) {
          log.warn(
            `Not ready: ${name} failed: ${(e as Error)?.message ?? String(e)}`,
            {event: 'health.notReady'},
          );
          return [name, false] as const;
        }
      }),
    );
    const details: Record<string, boolean> = {[CONFIGURATION_CHECK]: true};
    for (const [name, passed] of results) details[name] = passed;
    for (const [name, on] of Object.entries(configured)) {
      details[`${name}Configured`] = on;
    }
    return {healthy: results.every(([, passed]) => passed), details};
  };
}

/**
 * A circuit breaker for an optional dependency: after `threshold` consecutive
 * failures it opens, and callers skip the dependency for `cooldownMs`. After
 * the cooldown calls go through again and the next outcome decides: a
 * success closes it, a failure opens it for another cooldown. No timers: the
 * state is read from the clock it is given when asked.
 */

export interface CircuitBreakerOptions {
  /** Consecutive failures that open it. */
  threshold: number;
  /** How long it stays open. */
  cooldownMs: number;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
  /** Called each time it opens, with the consecutive failures so far. */
  onOpen?: (failures: number) => void;
  /** Called when a success closes it after it had opened. */
  onClose?: () => void;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  /** False while open: the caller should not call the dependency. */
  allows(): boolean;
  state(): CircuitState;
  succeeded(): void;
  failed(): void;
}

export function makeCircuitBreaker(
  options: CircuitBreakerOptions,
): CircuitBreaker {
  const {threshold, cooldownMs} = options;
  if (!(threshold >= 1) || !(cooldownMs >= 0)) {
    throw new Error(
      'a circuit breaker needs a threshold of at least 1 and a cooldown',
    );
  }
  const now = options.now ?? Date.now;
  let failures = 0;
  // Set once it has opened; cleared by a success.
  let openUntil: number | undefined;

  const state = (): CircuitState =>
    openUntil === undefined
      ? 'closed'
      : now() < openUntil
        ? 'open'
        : 'half-open';

  return {
    allows: () => state() !== 'open',
    state,
    succeeded() {
      const wasOpen = openUntil !== undefined;
      failures = 0;
      openUntil = undefined;
      if (wasOpen) options.onClose?.();
    },
    failed() {
      failures += 1;
      // A call that began before it opened and fails while it is open
      // neither extends the cooldown nor reports again.
      if (failures >= threshold && state() !== 'open') {
        openUntil = now() + cooldownMs;
        options.onOpen?.(failures);
      }
    },
  };
}

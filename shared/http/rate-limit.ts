import {ResourceExhaustedError} from '../errors';

/** A fixed-window limiter per user, per instance (RATE_LIMIT_PER_MINUTE, docs/design.md §1). */
export function makeRateLimiter(
  perMinute: number,
  now: () => number = Date.now,
) {
  const windows = new Map<string, {start: number; count: number}>();
  return (key: string): void => {
    if (perMinute <= 0) return;
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      // Drop stale windows now and then so the map cannot grow without bound.
      if (windows.size > 10_000) {
        for (const [k, v] of windows)
          if (t - v.start >= 60_000) windows.delete(k);
      }
      w = {start: t, count: 0};
      windows.set(key, w);
    }
    w.count += 1;
    if (w.count > perMinute) {
      throw new ResourceExhaustedError(
        `Too many requests: at most ${perMinute} a minute; try again shortly`,
      );
    }
  };
}

/**
 * Settles with `operation`, or rejects with `timeoutError()` after `ms`. The
 * operation itself is not cancelled (the callers' clients offer no way to);
 * its late rejection is handled here, so it never goes unhandled.
 */
export async function withTimeout<T>(
  operation: Promise<T>,
  ms: number,
  timeoutError: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  operation.catch(() => {});
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The request a piece of code runs for: its trace and its user, carried
 * through every await by AsyncLocalStorage (as functions-framework carries
 * its execution context), so that every log line of a request, from the
 * route down to the use cases and the adapters, names both without being
 * handed a logger.
 */
import {AsyncLocalStorage} from 'node:async_hooks';
import type {LogLabels} from './log';

export interface RequestContext {
  /** Cloud Logging's `projects/<p>/traces/<id>`. */
  trace?: string;
  /** Labels every entry of the request carries (`user` once verified). */
  labels: LogLabels;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` in a new request context. */
export function runInRequestContext<T>(
  context: RequestContext,
  fn: () => T,
): T {
  return storage.run(context, fn);
}

/** The context of the request this code runs for, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Adds labels (e.g. the verified user) to the current request's context. */
export function addRequestLabels(labels: LogLabels): void {
  const context = storage.getStore();
  if (context) context.labels = {...context.labels, ...labels};
}

/**
 * Structured logs: one JSON object per line on stdout, in the shape Cloud
 * Logging reads without an agent (`severity`, `message`,
 * `logging.googleapis.com/labels`, `logging.googleapis.com/trace`).
 *
 * Entries written while a request is served carry its trace and user from
 * the request context (shared/request-context.ts), whichever logger wrote
 * them. Audit events (shared/audit.ts) are log entries whose `event` label
 * names them. Never log a token or an assertion: callers
 * pass reasons, not raw library messages.
 */
import {currentRequestContext} from './request-context';

export const Severity = [
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
] as const;
export type Severity = (typeof Severity)[number];

/** Labels are indexed by Cloud Logging; values are strings. */
export type LogLabels = Record<string, string | undefined>;

export interface LogEntry {
  severity: Severity;
  message: string;
  labels?: LogLabels;
  /** Extra structured fields (jsonPayload). */
  fields?: Record<string, unknown>;
}

export type LogSink = (line: string) => void;

export interface Logger {
  log(entry: LogEntry): void;
  debug(
    message: string,
    labels?: LogLabels,
    fields?: Record<string, unknown>,
  ): void;
  info(
    message: string,
    labels?: LogLabels,
    fields?: Record<string, unknown>,
  ): void;
  notice(
    message: string,
    labels?: LogLabels,
    fields?: Record<string, unknown>,
  ): void;
  warn(
    message: string,
    labels?: LogLabels,
    fields?: Record<string, unknown>,
  ): void;
  error(
    message: string,
    labels?: LogLabels,
    fields?: Record<string, unknown>,
  ): void;
  /** A logger whose entries carry these labels and this trace. */
  child(context: {labels?: LogLabels; trace?: string}): Logger;
}

const stdoutSink: LogSink = line => {
  process.stdout.write(line + '\n');
};

/**
 * Cloud Logging's trace field from `X-Cloud-Trace-Context: TRACE_ID/SPAN;o=1`.
 * Returns undefined when the header is absent or malformed.
 */
export function traceFromHeader(
  header: string | undefined,
  projectId: string | undefined,
): string | undefined {
  if (!header || !projectId) return undefined;
  const match = /^([0-9a-fA-F]{1,32})(?:\/|$)/.exec(header);
  return match ? `projects/${projectId}/traces/${match[1]}` : undefined;
}

function serialiseError(value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      stack: value.stack,
      cause:
        value.cause === undefined ? undefined : serialiseError(value.cause),
    };
  }
  return value;
}

export function makeLogger(
  sink: LogSink = stdoutSink,
  context: {labels?: LogLabels; trace?: string} = {},
): Logger {
  const write = (entry: LogEntry) => {
    const request = currentRequestContext();
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries({
      ...request?.labels,
      ...context.labels,
      ...entry.labels,
    })) {
      if (v !== undefined) labels[k] = v;
    }
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry.fields ?? {})) {
      fields[k] = serialiseError(v);
    }
    const line: Record<string, unknown> = {
      ...fields,
      severity: entry.severity,
      message: entry.message,
      time: new Date().toISOString(),
    };
    if (Object.keys(labels).length) {
      line['logging.googleapis.com/labels'] = labels;
    }
    const trace = context.trace ?? request?.trace;
    if (trace) line['logging.googleapis.com/trace'] = trace;
    sink(JSON.stringify(line));
  };
  const at =
    (severity: Severity) =>
    (message: string, labels?: LogLabels, fields?: Record<string, unknown>) =>
      write({severity, message, labels, fields});
  return {
    log: write,
    debug: at('DEBUG'),
    info: at('INFO'),
    notice: at('NOTICE'),
    warn: at('WARNING'),
    error: at('ERROR'),
    child: c =>
      makeLogger(sink, {
        labels: {...context.labels, ...c.labels},
        trace: c.trace ?? context.trace,
      }),
  };
}

/** A logger that keeps its lines in memory, for tests. */
export function makeMemoryLogger(): {
  logger: Logger;
  lines: string[];
  entries: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  return {
    logger: makeLogger(line => lines.push(line)),
    lines,
    entries: () => lines.map(l => JSON.parse(l) as Record<string, unknown>),
  };
}

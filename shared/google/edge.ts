/**
 * The edge between the product and Google's APIs: every adapter call goes
 * through `callGoogle`, which retries what is worth retrying (429, 5xx,
 * a dropped connection) with jittered exponential back-off inside a deadline,
 * and translates what is left into the project's error types
 * (shared/errors.ts): 400 → InvalidArgumentError with a fixed message naming
 * the method (Google's own message is logged, never answered: docs/design.md §2.1), 403 →
 * GooglePermissionError naming the permission the service account lacks,
 * 404 → NotFoundError naming the resource, 409/412 → ConflictError, anything
 * else → UnavailableError.
 *
 * It understands the errors of gaxios (google-auth-library, @googleapis/*,
 * and the plain authorised requests of the other adapters), so adapters need
 * not.
 */
import {
  ConflictError,
  GooglePermissionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../errors';
import type {Config} from '../config';
import type {Logger} from '../log';
import {requester} from './auth';

/** Back-off and deadline for one logical call (all its attempts). */
export interface RetryPolicy {
  /** The whole call, every attempt and pause included. */
  deadlineMs: number;
  /** One attempt: from connecting to the last byte of the answer. */
  attemptMs: number;
  /** The first pause; each further pause doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  deadlineMs: 30_000,
  // BACKEND_CONNECT_TIMEOUT + BACKEND_WRITE_TIMEOUT + BACKEND_READ_TIMEOUT
  // at upstream's defaults (5 + 5 + 20 s).
  attemptMs: 30_000,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  maxAttempts: 6,
};

/** Options every adapter factory accepts (tests shorten the pauses). */
export interface AdapterOptions {
  retry?: Partial<RetryPolicy>;
}

/**
 * The policy of an adapter. With the BACKEND_* timeouts, an attempt may take
 * their sum: Node's fetch (under gaxios) has one timer per
 * request, not one per phase, so an attempt is given the connect, write and
 * read allowances together; the whole call is given at least one attempt.
 */
export function retryPolicy(
  options?: AdapterOptions,
  backend?: Config['backend'],
): RetryPolicy {
  const attemptMs = backend
    ? backend.connectMs + backend.writeMs + backend.readMs
    : DEFAULT_RETRY_POLICY.attemptMs;
  return {
    ...DEFAULT_RETRY_POLICY,
    attemptMs,
    deadlineMs: Math.max(DEFAULT_RETRY_POLICY.deadlineMs, attemptMs),
    ...options?.retry,
  };
}

/** What a call is, for messages: `cloudresourcemanager.projects.getIamPolicy`. */
export interface CallSite {
  method: string;
  /** The permission the method needs, named in a 403's message. */
  permission?: string;
  /** The resource, named in a 404's message. */
  resource?: string;
}

/** A Google error reduced to what the edge decides on. */
export interface GoogleFailure {
  /** HTTP status; 0 when no answer arrived (connection refused, reset, timeout). */
  httpStatus: number;
  /** Google's canonical status name, e.g. `PERMISSION_DENIED`, when known. */
  status?: string;
  /** Google's message (never contains a token). */
  message: string;
  /** ErrorInfo reason, e.g. `IAM_PERMISSION_DENIED`, when known. */
  reason?: string;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Reads an error of gaxios into a GoogleFailure. */
export function describeFailure(err: unknown): GoogleFailure | undefined {
  const e = asRecord(err) ?? {};
  const response = asRecord(e.response);
  // gaxios: the HTTP status and Google's JSON body.
  const httpFromGaxios =
    typeof e.status === 'number'
      ? e.status
      : typeof response?.status === 'number'
        ? response.status
        : undefined;
  if (httpFromGaxios !== undefined) {
    const data = asRecord(response?.data);
    const body = asRecord(data?.error);
    const details = Array.isArray(body?.details) ? body.details : [];
    const info = details
      .map(asRecord)
      .find(d => String(d?.['@type'] ?? '').endsWith('ErrorInfo'));
    return {
      httpStatus: httpFromGaxios,
      status: typeof body?.status === 'string' ? body.status : undefined,
      message:
        typeof body?.message === 'string'
          ? body.message
          : typeof response?.data === 'string' && response.data.length < 500
            ? response.data
            : `HTTP ${httpFromGaxios}`,
      reason: typeof info?.reason === 'string' ? info.reason : undefined,
    };
  }
  // No answer: connection refused or reset, a timeout, an aborted fetch.
  // gaxios over fetch reports a closed connection as `fetch failed`, with
  // the socket's error two causes down: look along the chain.
  for (let c: unknown = err, depth = 0; c && depth < 5; depth++) {
    const r = asRecord(c) ?? {};
    const code = typeof r.code === 'string' ? r.code : undefined;
    const name = c instanceof Error ? c.name : undefined;
    if (
      (code && (NETWORK_CODES.test(code) || NETWORK_NAMES.has(code))) ||
      (name && NETWORK_NAMES.has(name))
    ) {
      return {httpStatus: 0, message: code ?? name ?? 'no response'};
    }
    c = r.cause;
  }
  // Anything else is not Google's answer but a bug here: not ours to translate.
  return undefined;
}

const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;
// gaxios puts a timeout's or an abort's DOMException name in `code`.
const NETWORK_NAMES = new Set(['AbortError', 'TimeoutError', 'FetchError']);

/** 429, 5xx and no answer at all are worth another attempt. */
export function isRetryable(f: GoogleFailure): boolean {
  return f.httpStatus === 0 || f.httpStatus === 429 || f.httpStatus >= 500;
}

// The APIs' names, for messages, by the first part of CallSite.method.
const API_NAMES = new Map<string, string>([
  ['cloudresourcemanager', 'Cloud Resource Manager'],
  ['cloudasset', 'Cloud Asset Inventory'],
  ['cloudidentity', 'Cloud Identity'],
  ['compute', 'Compute Engine'],
  ['secretmanager', 'Secret Manager'],
  ['pubsub', 'Pub/Sub'],
  ['chat', 'Google Chat'],
  ['metadata', 'The metadata server'],
]);

// What a 400 from a method most likely means, in our words.
const INVALID_WHAT = new Map<string, string>([
  ['setIamPolicy', 'the policy is not valid'],
  ['searchAllIamPolicies', 'the query is not valid'],
  ['searchAllResources', 'the query is not valid'],
  ['search', 'the query is not valid'],
]);

/**
 * The message a 400 answers: fixed text naming the API and the method, never
 * Google's message (docs/design.md §2.1), which callGoogle logs instead, e.g.
 * `Cloud Resource Manager refused the request (setIamPolicy): the policy is not valid`.
 */
export function invalidRequestMessage(site: CallSite): string {
  const parts = site.method.split('.');
  const api = API_NAMES.get(parts[0]!);
  const method = parts[parts.length - 1]!;
  const what = INVALID_WHAT.get(method) ?? 'the request is not valid';
  return api
    ? `${api} refused the request (${method}): ${what}`
    : `Google refused the request (${site.method}): ${what}`;
}

const PERMISSION_IN_MESSAGE =
  /(?:Permission '?|permission '|Required ')([a-z][a-zA-Z0-9]*\.[a-zA-Z0-9.]+)'?/;

/** Translates a failure that will not be retried (again) into a project error. */
export function translate(
  site: CallSite,
  f: GoogleFailure,
  cause: unknown,
): Error {
  const what = site.resource ? `${site.resource}` : site.method;
  switch (f.httpStatus) {
    case 400:
      // The same type and status as before: the activator retries merged
      // callers one by one on it. Google's message stays in the log.
      return new InvalidArgumentError(invalidRequestMessage(site), {cause});
    case 401:
      return new UnavailableError(
        `${site.method} refused the service account's credentials`,
        {cause},
      );
    case 403: {
      const permission =
        PERMISSION_IN_MESSAGE.exec(f.message)?.[1] ?? site.permission;
      const needs = permission ? `permission ${permission}` : 'a permission';
      return new GooglePermissionError(
        `The service account lacks ${needs} on ${what} (${site.method})`,
        permission,
        {cause},
      );
    }
    case 404:
      return new NotFoundError(`${what} was not found (${site.method})`, {
        cause,
      });
    case 409:
    case 412:
      return new ConflictError(
        `${what} was changed concurrently (${site.method}: ${f.status ?? f.httpStatus})`,
        {cause},
      );
    default:
      return new UnavailableError(
        f.httpStatus === 0
          ? `${site.method} is unavailable (${f.message})`
          : `${site.method} is unavailable (HTTP ${f.httpStatus}${f.status ? ' ' + f.status : ''})`,
        {cause},
      );
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, the attempts
 * run out, or the deadline would pass; then translates the last failure.
 * `attempt` receives its time (policy.attemptMs, or the time left if less),
 * to pass on as the request timeout.
 * `handle` may turn a failure into a result (e.g. an edition refusal into a
 * fallback) before it is translated; it sees every non-retryable failure.
 */
export async function callGoogle<T>(
  site: CallSite,
  log: Logger,
  policy: RetryPolicy,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    const left = policy.deadlineMs - (Date.now() - started);
    try {
      return await attempt(Math.max(1, Math.min(left, policy.attemptMs)));
    } catch (err) {
      const f = describeFailure(err);
      if (f === undefined) throw err;
      if (!isRetryable(f)) {
        if (f.httpStatus === 400) {
          // Google's message is for operators, not callers (docs/design.md §2.1):
          // it goes to the log; the error carries a fixed message.
          log.warn(`${site.method} refused the request`, undefined, {
            api: site.method,
            httpStatus: f.httpStatus,
            status: f.status,
            reason: f.reason,
            googleMessage: f.message,
          });
        }
        throw translate(site, f, err);
      }
      // Full jitter: a random pause up to the exponential bound.
      const bound = Math.min(
        policy.maxDelayMs,
        policy.initialDelayMs * 2 ** (n - 1),
      );
      const pause = Math.round(Math.random() * bound);
      const remaining = policy.deadlineMs - (Date.now() - started);
      if (n >= policy.maxAttempts || pause >= remaining) {
        log.warn(`${site.method} failed; giving up`, undefined, {
          api: site.method,
          httpStatus: f.httpStatus,
          attempts: n,
        });
        throw translate(site, f, err);
      }
      log.debug(`${site.method} failed; retrying`, undefined, {
        api: site.method,
        httpStatus: f.httpStatus,
        attempt: n,
        pauseMs: pause,
      });
      await sleep(pause);
    }
  }
}

/** One JSON request to a Google REST API. */
export interface JsonRequest {
  /**
   * The configured endpoint the URL is on (auth.ts chooses the credentials
   * from it: none for a plain-http stand-in, else ADC).
   */
  endpoint: string | undefined;
  url: string;
  method: 'GET' | 'POST' | 'PATCH';
  data?: unknown;
  headers?: Record<string, string>;
  /** The OAuth scope, when the API needs another than cloud-platform. */
  scope?: string;
}

/**
 * `callGoogle` around one authorised JSON request: each attempt sends it
 * through the instance's auth client with the attempt's timeout and no
 * retries of gaxios's own, and answers the parsed body. What every adapter
 * that speaks a REST API without a client library sends.
 */
export function callGoogleJson<T>(
  site: CallSite,
  log: Logger,
  policy: RetryPolicy,
  request: JsonRequest,
): Promise<T> {
  const {endpoint, scope, ...rest} = request;
  return callGoogle(site, log, policy, async timeout => {
    const res = await requester(endpoint, scope).request<T>({
      ...rest,
      timeout,
      retry: false,
      responseType: 'json',
    });
    return res.data;
  });
}

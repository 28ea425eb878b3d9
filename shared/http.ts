/**
 * The HTTP kit every function is built from: a small router over absolute
 * paths, IAP verification before anything else (except `GET /health`), the
 * POST rules of DESIGN §2.1 (JSON, `X-JIT-Access: 1`, 64 KiB), a per-user rate
 * limit, and the one place where errors become responses.
 *
 * Handlers never see an unverified identity: `ctx.user` comes from the IAP
 * assertion, never from a header or the body.
 */
import type {ZodType, ZodTypeDef} from 'zod';
import type {
  HttpFunction,
  Request,
  Response,
} from '@google-cloud/functions-framework';
import {
  AppError,
  InvalidArgumentError,
  PayloadTooLargeError,
  ResourceExhaustedError,
  toErrorResponse,
  UnsupportedMediaTypeError,
} from './errors';
import {Logger, traceFromHeader} from './log';

/** The caller, as the verified IAP assertion names them. */
export interface Identity {
  /** The `email` claim, lower-cased. */
  email: string;
  /** The `sub` claim (`accounts.google.com:<id>`). */
  subject: string;
  /** `google.access_levels`, when present. */
  accessLevels?: string[];
}

/** Verifies the IAP assertion of a request (shared/iap.ts implements it). */
export interface IdentityVerifier {
  /** Resolves the caller, or throws UnauthenticatedError / UnavailableError. */
  verify(
    headers: Record<string, string | string[] | undefined>,
  ): Promise<Identity>;
}

export const MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext {
  req: Request;
  res: Response;
  user: Identity;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  /** Query parameters (the first value of each). */
  query: Record<string, string>;
  /** The parsed JSON body of a POST (undefined for GET). */
  body: unknown;
  /** A logger carrying the trace and the user. */
  log: Logger;
}

export interface JsonResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  /** An absolute path with `{name}` segments, e.g. `/api/requests/{id}/approve`. */
  path: string;
  /**
   * Returns a JSON result, or undefined when the handler wrote the response
   * itself (static files).
   */
  handle(ctx: RouteContext): Promise<JsonResult | undefined>;
  /** Skip IAP: only `GET /health`. */
  public?: boolean;
}

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map(segment => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (m) {
        names.push(m[1]!);
        return '([^/]+)';
      }
      const wildcard = /^\{(\w+)\*\}$/.exec(segment);
      if (wildcard) {
        names.push(wildcard[1]!);
        return '(.*)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {route, regex: new RegExp(`^${source}$`), names};
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.set('Content-Type', 'application/json; charset=utf-8');
  res.set('Cache-Control', 'no-store');
  res.set('X-Content-Type-Options', 'nosniff');
  res.send(JSON.stringify(body));
}

/** Answers an error; an unknown one is logged in full and answered as a plain 500. */
export function sendError(res: Response, err: unknown, log: Logger): void {
  const {httpStatus, body, known} = toErrorResponse(err);
  if (!known) {
    log.error('Unhandled error', {event: 'http.error'}, {error: err});
  } else if (httpStatus >= 500) {
    log.warn(
      (err as AppError).message,
      {event: 'http.unavailable'},
      {error: err},
    );
  }
  if (!res.headersSent) sendJson(res, httpStatus, body);
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The POST rules of DESIGN §2.1: JSON only, the CSRF header, 64 KiB. */
export function checkPost(req: Request): unknown {
  const contentType = header(req, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      'Content-Type must be application/json',
    );
  }
  if (header(req, 'x-jit-access') !== '1') {
    throw new InvalidArgumentError('The header X-JIT-Access: 1 is required');
  }
  const raw = (req as Request & {rawBody?: Buffer}).rawBody;
  const length = raw?.length ?? Number(header(req, 'content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The body is larger than ${MAX_BODY_BYTES} bytes`,
    );
  }
  const body: unknown = req.body;
  if (
    body === undefined ||
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    Buffer.isBuffer(body)
  ) {
    throw new InvalidArgumentError('The body must be a JSON object');
  }
  return body;
}

/** A fixed-window limiter per user, per instance (DESIGN §1 RATE_LIMIT_PER_MINUTE). */
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

export interface HttpFunctionOptions {
  routes: Route[];
  verifier: IdentityVerifier;
  log: Logger;
  /** For trace ids in logs. */
  projectId?: string;
  rateLimitPerMinute: number;
}

/** The health route every function serves without an identity. */
export const HEALTH_ROUTE: Route = {
  method: 'GET',
  path: '/health',
  public: true,
  handle: async () => ({body: {healthy: true}}),
};

/**
 * Builds a functions-framework HttpFunction over routes. Checks its options
 * when built, not per request.
 */
export function makeHttpFunction(options: HttpFunctionOptions): HttpFunction {
  const {verifier, log, projectId} = options;
  if (!verifier || !log)
    throw new Error('makeHttpFunction needs a verifier and a logger');
  const routes = [HEALTH_ROUTE, ...options.routes].map(compile);
  const limit = makeRateLimiter(options.rateLimitPerMinute);

  return async (req: Request, res: Response) => {
    const trace = traceFromHeader(
      header(req, 'x-cloud-trace-context'),
      projectId,
    );
    let requestLog = log.child({trace});
    try {
      const path = (req.path || '/').replace(/\/+$/, '') || '/';
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      let matched: CompiledRoute | undefined;
      let params: Record<string, string> = {};
      let pathMatched = false;
      // RFC 9110 §15.5.6: a 405 names the methods the path does allow.
      const allowed = new Set<string>();
      for (const c of routes) {
        const m = c.regex.exec(path);
        if (!m) continue;
        pathMatched = true;
        allowed.add(c.route.method);
        if (c.route.method === 'GET') allowed.add('HEAD');
        if (c.route.method !== method) continue;
        matched = c;
        params = {};
        c.names.forEach((name, i) => {
          try {
            params[name] = decodeURIComponent(m[i + 1]!);
          } catch {
            throw new InvalidArgumentError('The path is not valid');
          }
        });
        break;
      }
      if (matched?.route.public) {
        await respond(matched.route, {
          req,
          res,
          params,
          requestLog,
          user: undefined,
        });
        return;
      }
      // Identity first: nothing else (not even a 404) is revealed without it.
      const user = await verifier.verify(req.headers);
      requestLog = requestLog.child({labels: {user: user.email}});
      limit(user.email);
      if (!matched) {
        if (pathMatched) res.set('Allow', [...allowed].join(', '));
        sendJson(res, pathMatched ? 405 : 404, {
          error: {
            code: pathMatched ? 405 : 404,
            status: pathMatched ? 'INVALID_ARGUMENT' : 'NOT_FOUND',
            message: pathMatched ? 'Method not allowed' : 'Not found',
          },
        });
        return;
      }
      await respond(matched.route, {req, res, params, requestLog, user});
    } catch (err) {
      sendError(res, err, requestLog);
    }
  };
}

async function respond(
  route: Route,
  c: {
    req: Request;
    res: Response;
    params: Record<string, string>;
    requestLog: Logger;
    user: Identity | undefined;
  },
): Promise<void> {
  const body = route.method === 'POST' ? checkPost(c.req) : undefined;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.query ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') query[k] = first;
  }
  const result = await route.handle({
    req: c.req,
    res: c.res,
    user: c.user ?? {email: '', subject: ''},
    params: c.params,
    query,
    body,
    log: c.requestLog,
  });
  if (result !== undefined) sendJson(c.res, result.status ?? 200, result.body);
}

/**
 * Parses a POST body with a strict zod schema: unknown fields are named in
 * the 400, any other mismatch answers with the expected shape.
 */
export function parseBody<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  body: unknown,
  shape: string,
): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const unknownKeys = parsed.error.issues.flatMap(i =>
    i.code === 'unrecognized_keys' ? i.keys : [],
  );
  throw new InvalidArgumentError(
    unknownKeys.length > 0
      ? `Unknown fields: ${unknownKeys.slice(0, 5).join(', ')}`
      : `The body must be ${shape}`,
  );
}

/**
 * The router every function is built from: routes over absolute paths, IAP
 * verification before anything else (except `GET /health`), the request
 * rules and the rate limit, a request context that gives every log line of
 * the request its trace and user, and the one place where errors (404 and
 * 405 among them) become responses.
 *
 * Handlers never see an unverified identity: `ctx.user` comes from the IAP
 * assertion, never from a header or the body.
 */
import type {
  HttpFunction,
  Request,
  Response,
} from '@google-cloud/functions-framework';
import {
  AppError,
  InvalidArgumentError,
  MethodNotAllowedError,
  NotFoundError,
  toErrorResponse,
} from '../errors';
import type {HealthResponse} from '../api';
import {Logger, traceFromHeader} from '../log';
import type {Identity, IdentityVerifier} from '../ports';
import {addRequestLabels, runInRequestContext} from '../request-context';
import {makeRateLimiter} from './rate-limit';
import {checkPost, header} from './request-rules';

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
  /** The function's logger; its entries carry the request's trace and user. */
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
  /**
   * A POST from a caller that proves itself with a bearer token (Google
   * Chat), which sends no `X-JIT-Access` header: with no ambient credential
   * (no cookie, no IAP session) there is no request to forge.
   */
  bearerOnly?: boolean;
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
  const {httpStatus, body, known, headers} = toErrorResponse(err);
  if (!known) {
    log.error('Unhandled error', {event: 'http.error'}, {error: err});
  } else if (httpStatus >= 500) {
    log.warn(
      (err as AppError).message,
      {event: 'http.unavailable'},
      {error: err},
    );
  }
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(headers)) res.set(name, value);
  sendJson(res, httpStatus, body);
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
  handle: async () => ({body: {healthy: true} satisfies HealthResponse}),
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

  const serve = async (req: Request, res: Response) => {
    try {
      const path = (req.path || '/').replace(/\/+$/, '') || '/';
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      let matched: CompiledRoute | undefined;
      let params: Record<string, string> = {};
      // RFC 9110 §15.5.6: a 405 names the methods the path does allow.
      const allowed = new Set<string>();
      for (const c of routes) {
        const m = c.regex.exec(path);
        if (!m) continue;
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
        await respond(matched.route, {req, res, params, log, user: undefined});
        return;
      }
      // Identity first: nothing else (not even a 404) is revealed without it.
      const user = await verifier.verify(req.headers);
      addRequestLabels({user: user.email});
      // API calls only: a page load (the page, its assets) costs nothing.
      if (path.startsWith('/api/')) limit(user.email);
      if (!matched) {
        throw allowed.size > 0
          ? new MethodNotAllowedError('Method not allowed', [...allowed])
          : new NotFoundError('Not found');
      }
      await respond(matched.route, {req, res, params, log, user});
    } catch (err) {
      sendError(res, err, log);
    }
  };
  return (req: Request, res: Response) =>
    runInRequestContext(
      {
        trace: traceFromHeader(header(req, 'x-cloud-trace-context'), projectId),
        labels: {},
      },
      () => serve(req, res),
    );
}

async function respond(
  route: Route,
  c: {
    req: Request;
    res: Response;
    params: Record<string, string>;
    log: Logger;
    user: Identity | undefined;
  },
): Promise<void> {
  const body =
    route.method === 'POST'
      ? checkPost(c.req, {csrfHeader: !route.bearerOnly})
      : undefined;
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
    log: c.log,
  });
  if (result !== undefined) sendJson(c.res, result.status ?? 200, result.body);
}

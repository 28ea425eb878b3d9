/**
 * The fake Google Cloud: one loopback HTTP server that answers in Google's
 * REST formats from a seeded world (sandbox/fake-gcp/world.ts). Services
 * register routes (see routes.ts); the server adds a request log for
 * assertions, injected latency, and injected failures for the next N calls of
 * a method.
 *
 * It imports nothing from shared/.
 */
import * as http from 'http';
import type {AddressInfo} from 'net';
import type {World} from './world';

export interface FakeRequest {
  method: string;
  /** The path without the query string, percent-decoded segments kept as sent. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or undefined. */
  body: unknown;
  /** Regex groups of the route's pattern. */
  params: string[];
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  /** Sent as is when body is a string. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface FakeRoute {
  /** A name for logs and fault injection, e.g. `compute.backendServices.get`. */
  name: string;
  method: string;
  pattern: RegExp;
  handle(
    req: FakeRequest,
    fake: FakeGoogleCloud,
  ): FakeResponse | Promise<FakeResponse>;
}

export interface RequestLogEntry {
  name: string;
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

/** Google's JSON error, with the canonical status for the HTTP code. */
export function googleError(
  httpStatus: number,
  message: string,
  extra: Record<string, unknown> = {},
): FakeResponse {
  const statusName: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    412: 'FAILED_PRECONDITION',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return {
    status: httpStatus,
    body: {
      error: {
        code: httpStatus,
        message,
        status: statusName[httpStatus] ?? 'UNKNOWN',
        ...extra,
      },
    },
  };
}

interface Fault {
  status: number;
  remaining: number;
  /** Calls still to let through before this fault applies. */
  after: number;
}

export class FakeGoogleCloud {
  world: World;
  readonly requests: RequestLogEntry[] = [];
  /** Added to every answer, in milliseconds. */
  latencyMs = 0;
  /** When above 0, caps the page size of every list method (to test paging). */
  maxPageSize = 0;
  private readonly routes: FakeRoute[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server?: http.Server;
  private baseUrl?: string;

  constructor(world: World, routes: FakeRoute[]) {
    this.world = structuredClone(world);
    this.routes.push(...routes);
  }

  /**
   * Makes the next `count` calls of the method named `name` fail with
   * `status`, after letting `after` calls through (e.g. to fail a second page).
   */
  failNext(name: string, status: number, count = 1, after = 0): void {
    const list = this.faults.get(name) ?? [];
    list.push({status, remaining: count, after});
    this.faults.set(name, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Calls recorded so far of the method named `name`. */
  calls(name?: string): RequestLogEntry[] {
    return name
      ? this.requests.filter(r => r.name === name)
      : [...this.requests];
  }

  resetLog(): void {
    this.requests.length = 0;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('the fake Google Cloud is not started');
    return this.baseUrl;
  }

  /** `host:port`, for GCE_METADATA_HOST. */
  get hostPort(): string {
    return new URL(this.url).host;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = http.createServer((req, res) => {
      this.serve(req, res).catch(err => {
        res.statusCode = 500;
        res.end(
          JSON.stringify({
            error: {code: 500, message: String(err), status: 'INTERNAL'},
          }),
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown = undefined;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    const method = req.method ?? 'GET';
    let route: FakeRoute | undefined;
    let params: string[] = [];
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(url.pathname);
      if (m) {
        route = r;
        params = m.slice(1).map(p => p ?? '');
        break;
      }
    }
    const name = route?.name ?? `unknown ${method} ${url.pathname}`;
    let answer: FakeResponse;
    if (this.latencyMs > 0) {
      await new Promise(resolve => setTimeout(resolve, this.latencyMs));
    }
    const fault = this.takeFault(name);
    if (fault !== undefined) {
      answer = googleError(fault, `Injected failure (${fault}) for ${name}`);
    } else if (!route) {
      answer = googleError(
        404,
        `The fake Google Cloud does not implement ${method} ${url.pathname}`,
      );
    } else if (
      body === undefined &&
      rawBody &&
      (req.headers['content-type'] ?? '').includes('json')
    ) {
      answer = googleError(400, 'Invalid JSON payload received.');
    } else {
      answer = await route.handle(
        {
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          rawBody,
          body,
          params,
        },
        this,
      );
    }
    this.requests.push({
      name,
      method,
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      body,
      status: answer.status,
    });
    for (const [k, v] of Object.entries(answer.headers ?? {}))
      res.setHeader(k, v);
    res.statusCode = answer.status;
    if (answer.body === undefined) {
      res.end();
    } else if (typeof answer.body === 'string') {
      res.setHeader(
        'Content-Type',
        answer.contentType ?? 'text/plain; charset=utf-8',
      );
      res.end(answer.body);
    } else {
      res.setHeader('Content-Type', 'application/json; charset=UTF-8');
      res.end(JSON.stringify(answer.body));
    }
  }

  private takeFault(name: string): number | undefined {
    const list = this.faults.get(name);
    const fault = list?.[0];
    if (!list || !fault) return undefined;
    if (fault.after > 0) {
      fault.after -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) list.shift();
    return fault.status;
  }
}

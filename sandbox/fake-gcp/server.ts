/**
 * The fake Google Cloud: one loopback HTTP server that answers in Google's
 * REST formats from a seeded world (sandbox/fake-gcp/world.ts). Services
 * register routes (see routes.ts); the server adds a request log for
 * assertions, injected latency, injected failures for the next N calls of
 * a method, random faults at a rate (off by default; see RandomFaults), and
 * one-shot hooks that run before or after a method applies (to stop a
 * client at a chosen step).
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

/**
 * What a random fault does: answer an error (Google's JSON), never answer
 * (the client's own timeout ends the call), or close the connection with no
 * answer. A timeout or a drop happens either before the method runs or after
 * it has applied (a write that took effect but whose answer was lost), at
 * random, half and half.
 */
export const FaultKind = ['429', '500', '503', 'timeout', 'drop'] as const;
export type FaultKind = (typeof FaultKind)[number];

/** Random faults on every method: off unless set. */
export interface RandomFaults {
  /** The share of calls that fail, 0..1. */
  rate: number;
  /** Seeds the random source: the same seed gives the same sequence of faults. */
  seed: number;
  /** The kinds drawn from, equally likely; every kind by default. */
  kinds?: readonly FaultKind[];
  /** Longest a `timeout` holds the connection before closing it (default 60 s). */
  holdMs?: number;
}

/** A fault that was injected, for the run's report. */
export interface InjectedFault {
  name: string;
  kind: FaultKind;
  /** For `timeout` and `drop`: whether the method had applied first. */
  applied?: boolean;
}

/** What a hook tells the fake to do next. */
export type HookOutcome = 'continue' | 'drop';

/**
 * A one-shot hook on the next call of a method: `before` runs before the
 * method applies (`drop` then closes the connection and applies nothing);
 * `after` runs once it has applied, before the answer (`drop` then closes
 * the connection unanswered).
 */
export interface FakeHook {
  name: string;
  when: 'before' | 'after';
  /** Only calls this accepts trigger the hook (default: any). */
  match?: (req: FakeRequest) => boolean;
  run(req: FakeRequest): HookOutcome | Promise<HookOutcome>;
}

/** mulberry32: a small seeded generator, 0 <= x < 1. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
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
  private random?: {settings: RandomFaults; next: () => number};
  private readonly hooks: FakeHook[] = [];
  /** Every random fault injected so far. */
  readonly injected: InjectedFault[] = [];
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

  /** Turns random faults on (or off, with undefined) for every method. */
  setRandomFaults(settings: RandomFaults | undefined): void {
    if (settings && !(settings.rate >= 0 && settings.rate <= 1)) {
      throw new Error(`fault rate ${settings.rate}: expected 0..1`);
    }
    this.random = settings
      ? {settings, next: seededRandom(settings.seed)}
      : undefined;
  }

  /** Adds a one-shot hook (see FakeHook). */
  onNext(hook: FakeHook): void {
    this.hooks.push(hook);
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
    const fakeReq: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body,
      params,
    };
    let answer: FakeResponse;
    if (this.latencyMs > 0) {
      await new Promise(resolve => setTimeout(resolve, this.latencyMs));
    }
    const random = this.drawFault(name);
    const unanswered = (kind: 'timeout' | 'drop' | 'hook') => {
      this.requests.push({
        name,
        method,
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        status: 0,
      });
      if (kind === 'timeout') {
        // Held until the client gives up, or holdMs passes.
        const timer = setTimeout(
          () => res.destroy(),
          this.random?.settings.holdMs ?? 60_000,
        );
        res.once('close', () => clearTimeout(timer));
      } else {
        res.destroy();
      }
    };
    if (random && random.applied === false) {
      return unanswered(random.kind as 'timeout' | 'drop');
    }
    if ((await this.runHook(name, 'before', fakeReq)) === 'drop') {
      return unanswered('hook');
    }
    const fault = this.takeFault(name);
    const status =
      fault ?? (random && !random.applied ? Number(random.kind) : undefined);
    if (status !== undefined) {
      answer = googleError(status, `Injected failure (${status}) for ${name}`);
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
      answer = await route.handle(fakeReq, this);
      if ((await this.runHook(name, 'after', fakeReq)) === 'drop') {
        return unanswered('hook');
      }
      if (random?.applied) {
        return unanswered(random.kind as 'timeout' | 'drop');
      }
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

  /**
   * Draws whether this call fails at random, and how. `applied` is false
   * for a timeout or drop before the method runs, true for one after it,
   * and undefined for an error answer (which applies nothing).
   */
  private drawFault(
    name: string,
  ): {kind: FaultKind; applied?: boolean} | undefined {
    if (!this.random) return undefined;
    const {settings, next} = this.random;
    if (next() >= settings.rate) return undefined;
    const kinds = settings.kinds ?? FaultKind;
    const kind = kinds[Math.floor(next() * kinds.length)]!;
    const fault: InjectedFault =
      kind === 'timeout' || kind === 'drop'
        ? {name, kind, applied: next() < 0.5}
        : {name, kind};
    this.injected.push(fault);
    return fault;
  }

  private async runHook(
    name: string,
    when: FakeHook['when'],
    req: FakeRequest,
  ): Promise<HookOutcome> {
    const i = this.hooks.findIndex(
      h => h.name === name && h.when === when && (h.match?.(req) ?? true),
    );
    if (i < 0) return 'continue';
    const [hook] = this.hooks.splice(i, 1);
    return hook!.run(req);
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

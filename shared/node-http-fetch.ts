/**
 * A `fetch` for gaxios (google-auth-library's HTTP client) on Node's own
 * `http` and `https` modules, used for IAP's keys and for the metadata
 * server (through gcp-metadata).
 *
 * Without one, gaxios loads node-fetch through a dynamic import on its first
 * request: about 60 ms of the first request of an instance (bench/). gaxios
 * still does everything else: it prepares the request, checks the status,
 * parses the body and picks the agent. That agent is what applies
 * HTTPS_PROXY (gaxios builds an https-proxy-agent for it) and mTLS; Node's
 * `https` applies NODE_EXTRA_CA_CERTS. Native `fetch` would ignore the agent,
 * and with it the proxy.
 *
 * Deliberately narrower than fetch: redirects are answered as they are (so a
 * 3xx fails gaxios's status check instead of leaving the configured URL), no
 * compression is asked for (a compressed answer is still decoded), and a body
 * over `MAX_RESPONSE_BYTES` is refused.
 */
import * as http from 'http';
import * as https from 'https';

/**
 * Bodies of IAP's keys and the metadata server are a few KB (IAP's keys:
 * about 2 KB; the metadata server's answers and tokens, less).
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Google API answers can be larger: a page of 500 search results, or the
 * policies of 20 resources and their ancestors (an IAM policy may reach
 * 64 KB).
 */
export const API_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** What gaxios hands its fetch implementation besides the fetch fields. */
interface GaxiosInit extends RequestInit {
  agent?: http.Agent | ((url: URL) => http.Agent);
}

function requestBody(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('nodeHttpFetch sends string and byte bodies only');
}

/** The signal's reason (a TimeoutError for gaxios's timeout), as fetch rejects. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // A DOMException, possibly from another realm: not always `instanceof Error`.
  if (
    typeof reason === 'object' &&
    reason !== null &&
    typeof (reason as Error).name === 'string' &&
    typeof (reason as Error).message === 'string'
  ) {
    return reason as Error;
  }
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/**
 * Undoes a Content-Encoding. None is asked for, but a caller's own
 * `Accept-Encoding` (googleapis-common sends one) would bring one.
 */
function decode(
  body: Buffer<ArrayBuffer>,
  encoding: string | undefined,
  maxBytes: number,
): Buffer<ArrayBuffer> {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity') return body;
  const zlib = require('zlib') as typeof import('zlib');
  const limit = {maxOutputLength: maxBytes};
  // zlib answers a Buffer over a plain ArrayBuffer, as Buffer.concat does.
  const out = (b: Buffer) => b as Buffer<ArrayBuffer>;
  if (coding === 'gzip' || coding === 'x-gzip') {
    return out(zlib.gunzipSync(body, limit));
  }
  if (coding === 'deflate') return out(zlib.inflateSync(body, limit));
  if (coding === 'br') return out(zlib.brotliDecompressSync(body, limit));
  throw new Error(`unsupported Content-Encoding ${JSON.stringify(encoding)}`);
}

/**
 * A `fetch` on node:http/https, for gaxios's `fetchImplementation`, that
 * refuses a body over `maxBytes`.
 */
export function makeNodeHttpFetch(maxBytes: number): typeof fetch {
  return (input, init = {}) => send(input, init, maxBytes);
}

/** For IAP's keys and the metadata server: bodies up to MAX_RESPONSE_BYTES. */
export const nodeHttpFetch: typeof fetch =
  makeNodeHttpFetch(MAX_RESPONSE_BYTES);

/** For Google APIs: bodies up to API_MAX_RESPONSE_BYTES. */
export const apiHttpFetch: typeof fetch = makeNodeHttpFetch(
  API_MAX_RESPONSE_BYTES,
);

function send(
  input: Parameters<typeof fetch>[0],
  init: RequestInit,
  maxBytes: number,
): Promise<Response> {
  const options = init as GaxiosInit;
  // gaxios hands over a URL; a Request (or a URL of another realm) has href or url.
  const url = new URL(
    typeof input === 'string'
      ? input
      : 'href' in input
        ? input.href
        : input.url,
  );
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(
      new TypeError(`unsupported protocol ${url.protocol}`),
    );
  }
  const signal = options.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const headers: Record<string, string> = {};
  new Headers(options.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const agent =
    typeof options.agent === 'function' ? options.agent(url) : options.agent;
  const body = requestBody(options.body);
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise<Response>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        ...(agent && {agent}),
        ...(signal && {signal}),
      },
      res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(
              new Error(
                `the response from ${url.host} is over ${maxBytes} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.once('error', reject);
        res.once('end', () => {
          const responseHeaders = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            responseHeaders.append(raw[i]!, raw[i + 1]!);
          }
          const encoding = res.headers['content-encoding'];
          let bytes: Buffer<ArrayBuffer>;
          try {
            bytes = decode(Buffer.concat(chunks), encoding, maxBytes);
          } catch (err) {
            reject(err);
            return;
          }
          if (encoding !== undefined) {
            // The body is decoded: its encoding and length no longer apply.
            responseHeaders.delete('content-encoding');
            responseHeaders.delete('content-length');
          }
          const status = res.statusCode ?? 0;
          // A Response takes no body for these statuses.
          const empty = status === 204 || status === 205 || status === 304;
          resolve(
            new Response(empty ? null : bytes, {
              status,
              statusText: res.statusMessage ?? '',
              headers: responseHeaders,
            }),
          );
        });
      },
    );
    req.once('error', err =>
      reject(signal?.aborted ? abortError(signal) : err),
    );
    req.end(body);
  });
}

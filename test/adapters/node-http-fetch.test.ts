/**
 * nodeHttpFetch, driven by gaxios as google-auth-library drives it: gaxios
 * builds the request, checks the status and parses the body; the transport
 * moves the bytes over Node's http. The proxy path (HTTPS_PROXY, an
 * https-proxy-agent from gaxios, NODE_EXTRA_CA_CERTS) is covered end to end
 * by test/iap/cloud-run.test.ts.
 */
import * as http from 'http';
import type {AddressInfo} from 'net';
import {Gaxios, GaxiosError} from 'gaxios';
import * as zlib from 'zlib';
import {MAX_RESPONSE_BYTES, nodeHttpFetch} from '../../shared/node-http-fetch';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
let respond: (req: http.IncomingMessage, res: http.ServerResponse) => void;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body,
      });
      respond(req, res);
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(r => server.close(r));
});

beforeEach(() => {
  seen.length = 0;
});

const gaxios = new Gaxios({fetchImplementation: nodeHttpFetch});

describe('nodeHttpFetch under gaxios', () => {
  it('answers the status, headers and parsed JSON body', async () => {
    respond = (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'public, max-age=1234',
      });
      res.end('{"kid-1":"PEM"}');
    };
    const res = await gaxios.request<Record<string, string>>({
      url: `${base}/keys?x=1`,
      responseType: 'json',
    });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({'kid-1': 'PEM'});
    expect(res.headers.get('cache-control')).toBe('public, max-age=1234');
    expect(seen).toEqual([
      expect.objectContaining({method: 'GET', url: '/keys?x=1'}),
    ]);
  });

  it('sends the method, headers and body gaxios prepared', async () => {
    respond = (_req, res) => {
      res.writeHead(201, {'Content-Type': 'application/json'});
      res.end('{}');
    };
    await gaxios.request({
      url: `${base}/things`,
      method: 'POST',
      headers: {'X-Test': 'yes'},
      data: {name: 'a'},
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers['x-test']).toBe('yes');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({name: 'a'});
  });

  it('asks for no compression, and decodes a gzip or br answer all the same', async () => {
    const body = JSON.stringify({keys: 'x'.repeat(2000)});
    for (const [coding, encode] of [
      ['gzip', zlib.gzipSync],
      ['br', zlib.brotliCompressSync],
      ['deflate', zlib.deflateSync],
    ] as const) {
      respond = (_req, res) => {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Encoding': coding,
        });
        res.end(encode(body));
      };
      const res = await gaxios.request({
        url: `${base}/packed`,
        headers: {'Accept-Encoding': coding},
        responseType: 'json',
      });
      expect(res.data).toEqual(JSON.parse(body));
      expect(res.headers.get('content-encoding')).toBeNull();
    }
    respond = (_req, res) => res.end('{}');
    await gaxios.request({url: `${base}/plain`});
    expect(seen.at(-1)!.headers['accept-encoding']).toBeUndefined();
  });

  it('refuses an encoding it cannot decode', async () => {
    respond = (_req, res) => {
      res.writeHead(200, {'Content-Encoding': 'zstd'});
      res.end('??');
    };
    await expect(
      gaxios.request({url: `${base}/zstd`, retry: false}),
    ).rejects.toThrow(/unsupported Content-Encoding "zstd"/);
  });

  it('lets gaxios refuse an error status, with the status on the error', async () => {
    respond = (_req, res) => {
      res.writeHead(503, {'Content-Type': 'text/plain'});
      res.end('down');
    };
    const err = await gaxios
      .request({url: `${base}/keys`, retry: false})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaxiosError);
    expect((err as GaxiosError).status).toBe(503);
  });

  it('does not follow a redirect away from the configured URL', async () => {
    respond = (req, res) => {
      res.writeHead(302, {Location: `${base}/elsewhere`});
      res.end();
    };
    const err = await gaxios
      .request({url: `${base}/keys`, retry: false})
      .catch((e: unknown) => e);
    expect((err as GaxiosError).status).toBe(302);
    expect(seen.map(s => s.url)).toEqual(['/keys']);
  });

  it('refuses a body over the limit', async () => {
    respond = (_req, res) => {
      res.writeHead(200, {'Content-Type': 'application/octet-stream'});
      res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1));
    };
    await expect(
      gaxios.request({url: `${base}/big`, retry: false}),
    ).rejects.toThrow(/over 1048576 bytes/);
  });

  it('gives up when gaxios times out, on a server that never answers', async () => {
    respond = () => {}; // never answered
    const err = await gaxios
      .request({url: `${base}/slow`, timeout: 100, retry: false})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaxiosError);
    expect((err as GaxiosError).code).toBe('TimeoutError');
    expect(seen.map(s => s.url)).toEqual(['/slow']);
  });

  it('reports a refused connection with its code', async () => {
    const closed = http.createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(r => closed.close(r));
    const err = await gaxios
      .request({url: `http://127.0.0.1:${port}/`, retry: false})
      .catch((e: unknown) => e);
    expect((err as GaxiosError).code).toBe('ECONNREFUSED');
  });

  it('rejects a protocol other than http and https', async () => {
    await expect(nodeHttpFetch('ftp://example.com/')).rejects.toThrow(
      /unsupported protocol ftp:/,
    );
  });
});

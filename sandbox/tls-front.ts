/**
 * A TLS front for a loopback stand-in: `https://127.0.0.1:<port>` with a
 * certificate of a throw-away CA (openssl, for NODE_EXTRA_CA_CERTS), passing
 * every request on to a plain-http URL. Aimed at the fake Google Cloud, it
 * puts the product's production path under measurement: an https endpoint
 * gets Application Default Credentials (shared/google/auth.ts), which fetch
 * their token from the metadata server at GCE_METADATA_HOST, as on Cloud Run.
 * Used by the benchmark (cold starts) and by the tests of that path.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type {AddressInfo, Socket} from 'net';
import * as os from 'os';
import * as path from 'path';
import {makeServerCertificate} from './test-ca';

export interface TlsFront {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The CA certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

/** Starts the front for `target` (a plain-http base URL). */
export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-bench-tls-'));
  const {key, cert, caFile} = makeServerCertificate(dir, 'IP:127.0.0.1');
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server = https.createServer({key, cert}, (req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: {...req.headers, host: upstream.host},
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    close: async () => {
      const closed = new Promise<void>(resolve =>
        server.close(() => resolve()),
      );
      for (const s of sockets) s.destroy();
      await closed;
      fs.rmSync(dir, {recursive: true, force: true});
    },
  };
}

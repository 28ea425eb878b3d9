/**
 * A loopback stand-in for https://www.gstatic.com reached the way production
 * reaches it through a proxy: a CONNECT proxy (for HTTPS_PROXY) that sends
 * every `www.gstatic.com:443` tunnel to a local TLS server, whose certificate
 * is signed by a throw-away CA (made with openssl, for NODE_EXTRA_CA_CERTS).
 * Any other tunnel is refused, so nothing leaves the machine.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type {AddressInfo} from 'net';
import {makeServerCertificate} from '../../sandbox/test-ca';

export const GSTATIC_HOST = 'www.gstatic.com';

export interface GstaticStandIn {
  /** For HTTPS_PROXY. */
  proxyUrl: string;
  /** The CA certificate file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** `host:port` of every CONNECT the proxy received. */
  tunnels: string[];
  /** Paths the TLS server was asked for. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the TLS server and the proxy; `handle` answers the TLS requests. */
export async function startGstaticStandIn(
  handle: http.RequestListener,
): Promise<GstaticStandIn> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-gstatic-'));
  const {key, cert, caFile} = makeServerCertificate(dir, `DNS:${GSTATIC_HOST}`);
  const requests: string[] = [];
  const tunnels: string[] = [];
  // Tunnels leave the HTTP server's bookkeeping: close them ourselves.
  const sockets = new Set<net.Socket>();

  const tls = https.createServer({key, cert}, (req, res) => {
    requests.push(req.url ?? '');
    handle(req, res);
  });
  await new Promise<void>(resolve => tls.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tls.address() as AddressInfo).port;

  const proxy = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on(
    'connect',
    (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      if (req.url !== `${GSTATIC_HOST}:443`) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = net.connect(tlsPort, '127.0.0.1', () => {
        sockets.add(upstream);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(client);
      const drop = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', drop);
      client.on('error', drop);
    },
  );
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  const closeServer = (s: http.Server) =>
    new Promise<void>(resolve => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    caFile,
    tunnels,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(proxy), closeServer(tls)]);
      fs.rmSync(dir, {recursive: true, force: true});
    },
  };
}

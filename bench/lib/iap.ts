/**
 * IAP for the benchmark: a signer and a loopback key server (the tests have
 * their own in test/support/iap.ts; bench/ is compiled and cannot import it).
 */
import * as http from 'http';
import type {AddressInfo} from 'net';
import {makeIapSigner, type IapSigner} from '../../sandbox/iap-signer';

export const BENCH_AUDIENCE = '/projects/123456789012/global/backendServices/1';

export interface BenchIap {
  signer: IapSigner;
  keysUrl: string;
  /** The environment a target needs to verify this IAP's assertions. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startBenchIap(): Promise<BenchIap> {
  const signer = makeIapSigner();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'public, max-age=3600',
    });
    res.end(JSON.stringify(signer.publicKeys()));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/iap`;
  return {
    signer,
    keysUrl,
    env: {
      GOOGLE_CLOUD_PROJECT: 'bench-project',
      PROJECT_NUMBER: '123456789012',
      IAP_AUDIENCE: BENCH_AUDIENCE,
      IAP_PUBLIC_KEYS_URL: keysUrl,
      METADATA_SERVER_DETECTION: 'none',
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

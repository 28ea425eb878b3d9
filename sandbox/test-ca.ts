/**
 * A throw-away certificate authority for loopback TLS stand-ins: a CA and one
 * server certificate signed by it, made with openssl in `dir` and valid for a
 * day. Trust the CA with NODE_EXTRA_CA_CERTS=<caFile>. Used by the TLS front
 * of the fake Google Cloud (tls-front.ts) and the tests' www.gstatic.com.
 */
import {execFileSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface ServerCertificate {
  key: Buffer;
  cert: Buffer;
  /** The CA certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

/**
 * `subjectAltName` as openssl writes it: `IP:127.0.0.1` or
 * `DNS:www.gstatic.com`; the common name is its value.
 */
export function makeServerCertificate(
  dir: string,
  subjectAltName: string,
): ServerCertificate {
  const run = (...args: string[]) =>
    execFileSync('openssl', args, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  const ec = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
  ];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=jit-access test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const commonName = subjectAltName.slice(subjectAltName.indexOf(':') + 1);
  run(
    'req',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${commonName}`,
  );
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n`,
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
  return {
    key: fs.readFileSync(path.join(dir, 'server.key')),
    cert: fs.readFileSync(path.join(dir, 'server.crt')),
    caFile: path.join(dir, 'ca.crt'),
  };
}

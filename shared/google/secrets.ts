/**
 * SecretPort: Secret Manager v1 `versions:access` with a plain
 * google-auth-library request (the client library would add google-gax and
 * gRPC for one call), aimed at `config.endpoints.secretManager`.
 * Reference: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access
 *
 * The payload's CRC32C is checked when Secret Manager sends one, as Google
 * recommends: a corrupted password would otherwise fail later and obscurely.
 */
import type {Config} from '../config';
import {UnavailableError} from '../errors';
import type {Logger} from '../log';
import type {SecretPort} from '../ports';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

const DEFAULT_ENDPOINT = 'https://secretmanager.googleapis.com';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface AccessResponse {
  name?: string;
  payload?: {data?: string; dataCrc32c?: string};
}

/** Builds the Secret Manager adapter. */
export function makeSecretClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): SecretPort {
  const endpoint = config.endpoints.secretManager ?? DEFAULT_ENDPOINT;
  const policy = retryPolicy(options, config.backend);
  return {
    async accessSecretVersion(name) {
      const path = name
        .split('/')
        .map(s => encodeURIComponent(s))
        .join('/');
      const data = await callGoogleJson<AccessResponse>(
        {
          method: 'secretmanager.projects.secrets.versions.access',
          permission: 'secretmanager.versions.access',
          resource: `secret version ${name}`,
        },
        log,
        policy,
        {
          endpoint: config.endpoints.secretManager,
          url: `${endpoint}/v1/${path}:access`,
          method: 'GET',
        },
      );
      const bytes = Buffer.from(data.payload?.data ?? '', 'base64');
      const expected = data.payload?.dataCrc32c;
      if (expected !== undefined && String(crc32c(bytes)) !== expected) {
        throw new UnavailableError(
          `Secret Manager returned a corrupted payload for ${name}`,
        );
      }
      return bytes.toString('utf8');
    },
  };
}

/**
 * Secret Manager v1 `projects.secrets.versions.access`.
 *
 * Reference: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access
 * (`payload.data` base64, `payload.dataCrc32c` as an int64 string; the
 * answer names the version by project number and version number; `latest`
 * is the highest version). Secrets come from `world.secrets`, keyed by
 * `projects/<id or number>/secrets/<name>/versions/<n or latest>`.
 */
import {findProject} from './hierarchy';
import {permissionDenied} from './iam';
import type {
  FakeGoogleCloud,
  FakeRequest,
  FakeResponse,
  FakeRoute,
} from './server';
import {googleError} from './server';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli), as Secret Manager checksums payloads. */
export function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data)
    crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function access(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const [rawProject, secret, version] = req.params.map(decodeURIComponent) as [
    string,
    string,
    string,
  ];
  const asked = `projects/${rawProject}/secrets/${secret}/versions/${version}`;
  if (fake.world.deniedPermissions?.includes('secretmanager.versions.access')) {
    return permissionDenied(
      'secretmanager.versions.access',
      asked,
      'secretmanager.googleapis.com',
    );
  }
  const project = findProject(fake.world, rawProject);
  const ids = new Set(
    [rawProject, project?.projectId, project?.projectNumber].filter(Boolean),
  );
  // Every stored version of this secret, by version key.
  const versions = new Map<string, string>();
  for (const [key, payload] of Object.entries(fake.world.secrets ?? {})) {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/.exec(
      key,
    );
    if (m && ids.has(m[1]!) && m[2] === secret) versions.set(m[3]!, payload);
  }
  const numbers = [...versions.keys()].filter(v => /^\d+$/.test(v)).map(Number);
  const resolved =
    version === 'latest' && !versions.has('latest')
      ? numbers.length
        ? String(Math.max(...numbers))
        : undefined
      : version;
  const payload = resolved === undefined ? undefined : versions.get(resolved);
  if (payload === undefined) {
    return versions.size
      ? googleError(404, `Secret Version [${asked}] not found.`)
      : googleError(
          404,
          `Secret [projects/${project?.projectNumber ?? rawProject}/secrets/${secret}] not found or has no versions.`,
        );
  }
  const data = Buffer.from(payload, 'utf8');
  return {
    status: 200,
    body: {
      name: `projects/${project?.projectNumber ?? rawProject}/secrets/${secret}/versions/${resolved === 'latest' ? '1' : resolved}`,
      payload: {
        data: data.toString('base64'),
        dataCrc32c: String(crc32c(data)),
      },
    },
  };
}

export const secretManagerRoutes: FakeRoute[] = [
  {
    name: 'secretmanager.projects.secrets.versions.access',
    method: 'GET',
    pattern:
      /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/,
    handle: access,
  },
];

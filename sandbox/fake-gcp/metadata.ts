/**
 * The metadata server (`/computeMetadata/v1/...`), as far as the product and
 * the client libraries read it.
 *
 * Reference: https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys
 * and https://cloud.google.com/run/docs/container-contract#metadata-server
 * (Cloud Run answers `instance/region` as `projects/<number>/regions/<region>`).
 * Every answer carries `Metadata-Flavor: Google`; a request without that
 * header is refused with 403, as the real server does.
 */
import type {FakeRequest, FakeResponse, FakeRoute} from './server';
import type {World} from './world';

const FLAVOR = {'Metadata-Flavor': 'Google'};

function text(body: string, status = 200): FakeResponse {
  return {
    status,
    body,
    contentType: 'application/text',
    headers: {...FLAVOR},
  };
}

function metadataValues(world: World) {
  const m = world.metadata ?? {};
  const projectId =
    m.projectId ?? world.projects?.[0]?.projectId ?? 'fake-project';
  const projectNumber =
    m.projectNumber ??
    world.projects?.find(p => p.projectId === projectId)?.projectNumber ??
    '100000000001';
  const region = m.region ?? 'europe-west1';
  return {
    projectId,
    projectNumber,
    region,
    zone: m.zone ?? `${region}-b`,
    serviceAccountEmail:
      m.serviceAccountEmail ??
      `${projectNumber}-compute@developer.gserviceaccount.com`,
  };
}

/** Every key the fake serves, relative to `/computeMetadata/v1/`. */
function lookup(world: World, key: string): FakeResponse | undefined {
  const v = metadataValues(world);
  switch (key) {
    case '':
    case 'instance':
    case 'instance/':
    case 'project':
    case 'project/':
      // Directory listings: only their existence matters (detection pings).
      return text(
        key.startsWith('project')
          ? 'numeric-project-id\nproject-id\n'
          : 'region\nservice-accounts/\nzone\n',
      );
    case 'project/project-id':
      return text(v.projectId);
    case 'project/numeric-project-id':
      return text(v.projectNumber);
    case 'instance/region':
      return text(`projects/${v.projectNumber}/regions/${v.region}`);
    case 'instance/zone':
      return text(`projects/${v.projectNumber}/zones/${v.zone}`);
    case 'instance/service-accounts/default/email':
    case `instance/service-accounts/${v.serviceAccountEmail}/email`:
      return text(v.serviceAccountEmail);
    case 'instance/service-accounts/default/token':
    case `instance/service-accounts/${v.serviceAccountEmail}/token`:
      // A token of no value: the fake never checks it.
      return {
        status: 200,
        body: {
          access_token: 'fake-access-token',
          expires_in: 3599,
          token_type: 'Bearer',
        },
        headers: {...FLAVOR},
      };
    case 'universe/universe-domain':
      return text('googleapis.com');
    default:
      return undefined;
  }
}

export const metadataRoutes: FakeRoute[] = [
  {
    name: 'metadata',
    method: 'GET',
    pattern: /^\/computeMetadata\/v1\/?(.*)$/,
    handle(req: FakeRequest, fake): FakeResponse {
      const flavor = req.headers['metadata-flavor'];
      if (flavor !== 'Google') {
        // The real server answers an HTML page; the status is what matters.
        return {
          status: 403,
          body: 'Missing required header: "Metadata-Flavor": "Google"\n',
          contentType: 'text/html; charset=UTF-8',
          headers: {...FLAVOR},
        };
      }
      const key = decodeURIComponent(req.params[0] ?? '');
      return lookup(fake.world, key) ?? text(`Not Found: ${key}\n`, 404);
    },
  },
];

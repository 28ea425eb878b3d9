/**
 * Compute Engine v1 `backendServices.get` and `regionBackendServices.get`.
 *
 * Reference: https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/get
 * and https://cloud.google.com/compute/docs/reference/rest/v1/regionBackendServices/get.
 * Compute's errors carry the older `errors[]` list (domain, reason) beside
 * code and message; permission is checked before existence, so a caller
 * without `compute.backendServices.get` learns nothing about the name.
 */
import type {FakeRequest, FakeResponse, FakeRoute} from './server';
import type {FakeGoogleCloud} from './server';

function computeError(
  status: number,
  reason: string,
  message: string,
): FakeResponse {
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        errors: [{message, domain: 'global', reason}],
      },
    },
  };
}

function getBackendService(
  fake: FakeGoogleCloud,
  project: string,
  name: string,
  region: string | undefined,
): FakeResponse {
  const path = region
    ? `projects/${project}/regions/${region}/backendServices/${name}`
    : `projects/${project}/global/backendServices/${name}`;
  if (fake.world.deniedPermissions?.includes('compute.backendServices.get')) {
    return computeError(
      403,
      'forbidden',
      `Required 'compute.backendServices.get' permission for '${path}'`,
    );
  }
  const projects = fake.world.projects ?? [];
  // Compute accepts the project ID or number in the path.
  const known = projects.find(
    p => p.projectId === project || p.projectNumber === project,
  );
  const service = (fake.world.backendServices ?? []).find(
    s =>
      (s.project === project ||
        (known !== undefined &&
          (s.project === known.projectId ||
            s.project === known.projectNumber))) &&
      s.name === name &&
      (s.region ?? undefined) === region,
  );
  if (!service) {
    return computeError(
      404,
      'notFound',
      `The resource '${path}' was not found`,
    );
  }
  const selfLink = `${fake.url}/compute/v1/${path}`;
  return {
    status: 200,
    body: {
      kind: 'compute#backendService',
      id: service.id,
      creationTimestamp: '2024-01-01T00:00:00.000-08:00',
      name: service.name,
      selfLink,
      ...(region
        ? {
            region: `${fake.url}/compute/v1/projects/${project}/regions/${region}`,
          }
        : {}),
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      protocol: 'HTTPS',
      iap: {enabled: true},
      fingerprint: 'ZmFrZS1maW5nZXJwcmludA==',
    },
  };
}

const seg = (s: string | undefined) => decodeURIComponent(s ?? '');

export const computeRoutes: FakeRoute[] = [
  {
    name: 'compute.backendServices.get',
    method: 'GET',
    pattern:
      /^\/compute\/v1\/projects\/([^/]+)\/global\/backendServices\/([^/]+)$/,
    handle: (req: FakeRequest, fake) =>
      getBackendService(
        fake,
        seg(req.params[0]),
        seg(req.params[1]),
        undefined,
      ),
  },
  {
    name: 'compute.regionBackendServices.get',
    method: 'GET',
    pattern:
      /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)\/backendServices\/([^/]+)$/,
    handle: (req: FakeRequest, fake) =>
      getBackendService(
        fake,
        seg(req.params[0]),
        seg(req.params[2]),
        seg(req.params[1]),
      ),
  },
];

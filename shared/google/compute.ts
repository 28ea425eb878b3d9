/**
 * BackendServicePort: Compute v1 `backendServices.get` and
 * `regionBackendServices.get` with a plain google-auth-library request (the
 * Compute client library would add tens of megabytes for one call).
 * Reference: https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/get
 */
import type {Config} from '../config';
import type {Logger} from '../log';
import type {BackendServicePort} from '../ports';
import {UnavailableError} from '../errors';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

const DEFAULT_ENDPOINT = 'https://compute.googleapis.com';

/** Builds the backend service adapter aimed at `config.endpoints.compute`. */
export function makeBackendServiceClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): BackendServicePort {
  const endpoint = config.endpoints.compute ?? DEFAULT_ENDPOINT;
  const policy = retryPolicy(options, config.backend);
  return {
    async getBackendServiceId(projectId, name, region) {
      const e = encodeURIComponent;
      const path = region
        ? `projects/${e(projectId)}/regions/${e(region)}/backendServices/${e(name)}`
        : `projects/${e(projectId)}/global/backendServices/${e(name)}`;
      const data = await callGoogleJson<{id?: string}>(
        {
          method: region
            ? 'compute.regionBackendServices.get'
            : 'compute.backendServices.get',
          permission: 'compute.backendServices.get',
          resource: `backend service ${path}`,
        },
        log,
        policy,
        {
          endpoint: config.endpoints.compute,
          url: `${endpoint}/compute/v1/${path}`,
          method: 'GET',
        },
      );
      if (typeof data.id !== 'string' && typeof data.id !== 'number') {
        throw new UnavailableError(`backend service ${path} has no id`);
      }
      return String(data.id);
    },
  };
}

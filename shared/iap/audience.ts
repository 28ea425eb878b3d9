/**
 * Pins the IAP audience without a circular deployment (docs/design.md §3, rules 1-6,
 * upstream issue #324). Resolved lazily, on the first request that needs it,
 * because rules 3-5 ask the metadata server or Compute, which must not happen
 * at import time; only a success is cached, so a missing permission granted
 * later heals without a restart.
 */
import type {Config} from '../config';
import {AppError, NotFoundError, UnavailableError} from '../errors';
import type {BackendServicePort, MetadataPort} from '../ports';

/** What an assertion's `aud` must be. */
export type AudiencePin =
  /** Rules 1-5: one of these exactly. */
  | {kind: 'exact'; audiences: string[]; rule: string}
  /** Rule 6 (IAP_VERIFY_AUDIENCE=false): any audience of our own project. */
  | {kind: 'project'; prefix: string; rule: string};

/** Whether an `aud` claim satisfies the pin. */
export function audienceMatches(pin: AudiencePin, aud: unknown): boolean {
  if (typeof aud !== 'string') return false;
  if (pin.kind === 'exact') return pin.audiences.includes(aud);
  // `/projects/<n>/` and at least one more segment: never a bare prefix.
  return aud.startsWith(pin.prefix) && aud.length > pin.prefix.length;
}

/** Wraps a port failure into a 503 whose message says what to fix. */
function unavailable(
  what: string,
  fix: string,
  err: unknown,
): UnavailableError {
  // Port errors are our own types with safe messages; anything else is not shown.
  const detail = err instanceof AppError ? `: ${err.message}` : '';
  return new UnavailableError(
    `The IAP audience cannot be resolved: ${what}${detail}. ${fix}`,
    {cause: err},
  );
}

/**
 * Resolves the audience pin for this instance from the configuration, the
 * metadata server and Compute, or throws UnavailableError naming the missing
 * variable or permission.
 */
export async function resolveAudience(deps: {
  config: Config;
  metadata: MetadataPort;
  backendServices: BackendServicePort;
}): Promise<AudiencePin> {
  const {config, metadata, backendServices} = deps;
  const iap = config.iap;

  const projectNumber = async (): Promise<string> => {
    if (config.projectNumber) return config.projectNumber;
    try {
      return await metadata.projectNumber();
    } catch (err) {
      throw unavailable(
        'the project number could not be read from the metadata server',
        'Set PROJECT_NUMBER.',
        err,
      );
    }
  };
  const projectId = async (): Promise<string> => {
    if (config.projectId) return config.projectId;
    try {
      return await metadata.projectId();
    } catch (err) {
      throw unavailable(
        'the project ID could not be read from the metadata server',
        'Set GOOGLE_CLOUD_PROJECT.',
        err,
      );
    }
  };

  // Rule 6 overrides the others: weaker, but still our own project only.
  if (!iap.verifyAudience) {
    return {
      kind: 'project',
      prefix: `/projects/${await projectNumber()}/`,
      rule: 'IAP_VERIFY_AUDIENCE=false',
    };
  }
  if (iap.audience) {
    return {kind: 'exact', audiences: [iap.audience], rule: 'IAP_AUDIENCE'};
  }
  if (iap.backendServiceId) {
    const n = await projectNumber();
    return {
      kind: 'exact',
      audiences: [
        `/projects/${n}/global/backendServices/${iap.backendServiceId}`,
      ],
      rule: 'IAP_BACKEND_SERVICE_ID',
    };
  }
  if (iap.backendServiceName) {
    const [n, project] = await Promise.all([projectNumber(), projectId()]);
    const region = iap.backendServiceRegion;
    let id: string;
    try {
      id = await backendServices.getBackendServiceId(
        project,
        iap.backendServiceName,
        region,
      );
    } catch (err) {
      throw unavailable(
        `the backend service ${iap.backendServiceName} of IAP_BACKEND_SERVICE_NAME` +
          (region
            ? ` in region ${region} (IAP_BACKEND_SERVICE_REGION)`
            : ' (global)') +
          ' could not be read',
        err instanceof NotFoundError
          ? 'Check IAP_BACKEND_SERVICE_NAME and IAP_BACKEND_SERVICE_REGION.'
          : 'Grant the service account ' +
              (region
                ? 'compute.regionBackendServices.get'
                : 'compute.backendServices.get') +
              ', or set IAP_BACKEND_SERVICE_ID or IAP_AUDIENCE.',
        err,
      );
    }
    // Google documents no separate regional format: accept both forms.
    const audiences = [`/projects/${n}/global/backendServices/${id}`];
    if (region) {
      audiences.push(`/projects/${n}/regions/${region}/backendServices/${id}`);
    }
    return {kind: 'exact', audiences, rule: 'IAP_BACKEND_SERVICE_NAME'};
  }
  if (config.runtime.kService) {
    const n = await projectNumber();
    let region: string;
    try {
      region = await metadata.region();
    } catch (err) {
      throw unavailable(
        'the region could not be read from the metadata server',
        'Set IAP_AUDIENCE to /projects/<number>/locations/<region>/services/<service>.',
        err,
      );
    }
    return {
      kind: 'exact',
      audiences: [
        `/projects/${n}/locations/${region}/services/${config.runtime.kService}`,
      ],
      rule: 'K_SERVICE',
    };
  }
  if (config.runtime.gaeService) {
    const [n, project] = await Promise.all([projectNumber(), projectId()]);
    return {
      kind: 'exact',
      audiences: [`/projects/${n}/apps/${project}`],
      rule: 'GAE_SERVICE',
    };
  }
  throw new UnavailableError(
    'The IAP audience is not configured: set IAP_AUDIENCE, IAP_BACKEND_SERVICE_ID ' +
      'or IAP_BACKEND_SERVICE_NAME, or deploy on Cloud Run with IAP enabled on the service',
  );
}

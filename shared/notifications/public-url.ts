/**
 * The base URL that links in mails point at. Always PUBLIC_BASE_URL when set,
 * never a host from request headers (behind a load balancer
 * X-Forwarded-Host is the client's to choose). On Cloud Run without it, the
 * service's deterministic URL `https://<service>-<number>.<region>.run.app`.
 */
import type {Config} from '../config';
import type {MetadataPort} from '../ports';

/** Resolves the base URL, or undefined when it cannot be known; caches a success. */
export function makeBaseUrlResolver(
  config: Config,
  metadata?: Pick<MetadataPort, 'projectNumber' | 'region'>,
): () => Promise<string | undefined> {
  let resolved: string | undefined = config.publicBaseUrl;
  return async () => {
    if (resolved !== undefined) return resolved;
    const service = config.runtime.kService;
    if (!service || !metadata) return undefined;
    try {
      const number = config.projectNumber ?? (await metadata.projectNumber());
      const region = await metadata.region();
      resolved = `https://${service}-${number}.${region}.run.app`;
      return resolved;
    } catch {
      return undefined;
    }
  };
}

/** The page a mail links to for one request. */
export function requestLink(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}/requests/${encodeURIComponent(id)}`;
}

/** The page that lists a project's roles (the UI's `#roles/<project>`). */
export function rolesLink(base: string, project: string): string {
  return `${base.replace(/\/+$/, '')}/#roles/${encodeURIComponent(project)}`;
}

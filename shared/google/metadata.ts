/**
 * MetadataPort on gcp-metadata: the project ID, project number and region of
 * the instance the function runs on.
 *
 * gcp-metadata reads its host from the environment variable
 * GCE_METADATA_HOST on every call and takes no option for it, so the adapter
 * hands it `config.endpoints.metadataHost` there (a write, never a read: the
 * configuration stays the only source). Answers are cached once they
 * succeed: they cannot change while the instance lives. gcp-metadata
 * retries a failed read itself (3 times), so the edge only translates.
 * It sends through shared/node-http-fetch.ts, as the IAP key fetch does.
 */
import type {Config} from '../config';
import type {Logger} from '../log';
import type {MetadataPort} from '../ports';
import {callGoogle, retryPolicy, type AdapterOptions} from './edge';
import {useNodeHttpForGcpMetadata} from './metadata-transport';

type GcpMetadata = typeof import('gcp-metadata');

/** Builds the metadata adapter; nothing is loaded or fetched until first use. */
export function makeMetadataClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): MetadataPort {
  // gcp-metadata already retries (3 times, 5xx and dropped connections
  // included): a second loop around it would multiply the attempts.
  const policy = {...retryPolicy(options, config.backend), maxAttempts: 1};
  let lib: GcpMetadata | undefined;
  const cache = new Map<string, Promise<string>>();

  const read = (kind: 'project' | 'instance', key: string): Promise<string> => {
    const cacheKey = `${kind}/${key}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    const pending = callGoogle(
      {method: 'metadata', resource: `the metadata server's ${cacheKey}`},
      log,
      policy,
      async () => {
        if (!lib) {
          lib = require('gcp-metadata') as GcpMetadata;
          // Spares the first request node-fetch's import (about 60 ms).
          useNodeHttpForGcpMetadata();
        }
        const host = config.endpoints.metadataHost;
        if (host !== undefined) process.env.GCE_METADATA_HOST = host;
        // gcp-metadata parses numeric answers (the project number) as JSON.
        const value: unknown = await lib[kind](key);
        return String(value);
      },
    );
    cache.set(cacheKey, pending);
    // Only a success stays cached: a failure is tried again next time.
    pending.catch(() => cache.delete(cacheKey));
    return pending;
  };

  return {
    projectId: () => read('project', 'project-id'),
    projectNumber: () => read('project', 'numeric-project-id'),
    region: async () => {
      // Cloud Run answers `projects/<number>/regions/<region>`.
      const full = await read('instance', 'region');
      return full.slice(full.lastIndexOf('/') + 1);
    },
  };
}

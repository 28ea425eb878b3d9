/**
 * Has gcp-metadata send through nodeHttpFetch (shared/node-http-fetch.ts).
 * gcp-metadata takes no transport option: it sends through the default
 * instance of its own copy of gaxios, so that instance's default is set,
 * once, unless someone chose one already. Every user of that instance
 * (gcp-metadata, and google-auth-library when it detects the metadata server
 * and fetches a token on Cloud Run) then skips node-fetch's import; the
 * metadata server is plain http and answers a few bytes.
 */
import {nodeHttpFetch} from '../node-http-fetch';

export function useNodeHttpForGcpMetadata(): void {
  const path = require('path') as typeof import('path');
  const gaxiosPath = require.resolve('gaxios', {
    paths: [path.dirname(require.resolve('gcp-metadata'))],
  });
  const gaxios = require(gaxiosPath) as {
    instance: {defaults: {fetchImplementation?: typeof fetch}};
  };
  gaxios.instance.defaults.fetchImplementation ??= nodeHttpFetch;
}

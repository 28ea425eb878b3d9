/**
 * Which credentials an adapter sends. A plain-http endpoint is a local
 * stand-in (the fake Google Cloud, a test): no credentials are fetched for it,
 * so nothing ever asks the metadata server or Google's token endpoint for a
 * token. Anything else uses Application Default Credentials, one GoogleAuth
 * per instance so that tokens are cached once.
 */
import type {AuthClient, GoogleAuth} from 'google-auth-library';

let adc: GoogleAuth | undefined;

/** True when the endpoint is a plain-http URL (a local stand-in). */
export function isPlainHttp(endpoint: string | undefined): boolean {
  return endpoint !== undefined && endpoint.startsWith('http://');
}

/** An anonymous client for plain http, else Application Default Credentials. */
export function authFor(
  endpoint: string | undefined,
): {kind: 'anonymous'; client: AuthClient} | {kind: 'adc'; auth: GoogleAuth} {
  // Loaded here, not at import time: cold starts load only what they use.

  const lib =
    require('google-auth-library') as typeof import('google-auth-library');
  if (isPlainHttp(endpoint)) {
    // Node's own fetch: a loopback stand-in needs no proxy agent, and gaxios
    // would otherwise import node-fetch dynamically, which jest's module
    // sandbox cannot do without --experimental-vm-modules.
    return {
      kind: 'anonymous',
      client: new lib.PassThroughClient({
        transporterOptions: {fetchImplementation: globalThis.fetch},
      }),
    };
  }
  adc ??= new lib.GoogleAuth({
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  });
  return {kind: 'adc', auth: adc};
}

/** Sends a request through whichever client `authFor` chose. */
export function requester(
  endpoint: string | undefined,
): AuthClient | GoogleAuth {
  const a = authFor(endpoint);
  return a.kind === 'anonymous' ? a.client : a.auth;
}

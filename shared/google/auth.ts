/**
 * Which credentials an adapter sends. A plain-http endpoint is a local
 * stand-in (the fake Google Cloud, a test): no credentials are fetched for it,
 * so nothing ever asks the metadata server or Google's token endpoint for a
 * token. Anything else uses Application Default Credentials, one GoogleAuth
 * per instance so that tokens are cached once.
 *
 * Both send through shared/node-http-fetch.ts (Node's `http`/`https`, the
 * agent gaxios picks for HTTPS_PROXY), as gcp-metadata does for ADC's
 * detection and token: left alone, gaxios would import node-fetch (an ES
 * module, about 30 ms) on a user's first page (docs/design-notes.md, "Cold
 * start").
 */
import type {AuthClient, GoogleAuth} from 'google-auth-library';
import {apiHttpFetch} from '../node-http-fetch';
import {useNodeHttpForGcpMetadata} from './metadata-transport';

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
    return {
      kind: 'anonymous',
      client: new lib.PassThroughClient({
        transporterOptions: {fetchImplementation: apiHttpFetch},
      }),
    };
  }
  if (!adc) {
    // ADC's detection and token fetch go through gcp-metadata's gaxios.
    useNodeHttpForGcpMetadata();
    adc = new lib.GoogleAuth({
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      clientOptions: {transporterOptions: {fetchImplementation: apiHttpFetch}},
    });
  }
  return {kind: 'adc', auth: adc};
}

/** Sends a request through whichever client `authFor` chose. */
export function requester(
  endpoint: string | undefined,
): AuthClient | GoogleAuth {
  const a = authFor(endpoint);
  return a.kind === 'anonymous' ? a.client : a.auth;
}

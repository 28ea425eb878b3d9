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

/** ADC's clients by scope: Chat's app authentication needs its own. */
const adc = new Map<string, AuthClient | GoogleAuth>();
/** One client for every plain-http stand-in: it holds no credentials. */
let anonymous: AuthClient | undefined;

export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** True when the endpoint is a plain-http URL (a local stand-in). */
export function isPlainHttp(endpoint: string | undefined): boolean {
  return endpoint !== undefined && endpoint.startsWith('http://');
}

/**
 * Whether Application Default Credentials would come from the metadata
 * server, decided on the environment google-auth-library itself reads (ADC's
 * order, google-auth-library 10.5.0 `getApplicationDefaultAsync`): no key
 * file named by GOOGLE_APPLICATION_CREDENTIALS, no gcloud user credentials in
 * the well-known file, and a metadata server known to be there (Cloud Run
 * sets K_SERVICE; GCE_METADATA_HOST names one). Then the adapters build that
 * client (`Compute`) directly: GoogleAuth's module loads every credential
 * type (about 20 ms of a first page) and detects the metadata server with a
 * request of its own.
 */
export function metadataServerCredentials(
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean,
): boolean {
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return false;
  const path = require('path') as typeof import('path');
  const root =
    process.platform === 'win32'
      ? env.APPDATA
      : env.HOME && path.join(env.HOME, '.config');
  if (
    root &&
    exists(path.join(root, 'gcloud', 'application_default_credentials.json'))
  ) {
    return false;
  }
  return Boolean(env.K_SERVICE || env.GCE_METADATA_HOST);
}

/** The instance's credentials: the metadata server's, or ADC's own choice. */
function defaultCredentials(scope: string): AuthClient | GoogleAuth {
  // ADC's detection and token fetch go through gcp-metadata's gaxios.
  useNodeHttpForGcpMetadata();
  const transporterOptions = {fetchImplementation: apiHttpFetch};
  const fs = require('fs') as typeof import('fs');
  if (metadataServerCredentials(process.env, fs.existsSync)) {
    const {Compute} =
      require('google-auth-library/build/src/auth/computeclient') as typeof import('google-auth-library/build/src/auth/computeclient');
    const compute = new Compute({scopes: [scope], transporterOptions});
    // As ADC does for the client it picks.
    const quotaProject = process.env.GOOGLE_CLOUD_QUOTA_PROJECT;
    if (quotaProject) compute.quotaProjectId = quotaProject;
    return compute;
  }
  const {GoogleAuth} =
    require('google-auth-library') as typeof import('google-auth-library');
  return new GoogleAuth({
    scopes: [scope],
    clientOptions: {transporterOptions},
  });
}

/**
 * An anonymous client for plain http, else Application Default Credentials
 * for `scope` (cloud-platform unless an API needs its own, as Chat does).
 */
export function authFor(
  endpoint: string | undefined,
  scope: string = CLOUD_PLATFORM,
):
  | {kind: 'anonymous'; client: AuthClient}
  | {kind: 'adc'; auth: AuthClient | GoogleAuth} {
  // Loaded here, not at import time: cold starts load only what they use.
  if (isPlainHttp(endpoint)) {
    if (!anonymous) {
      const {PassThroughClient} =
        require('google-auth-library/build/src/auth/passthrough') as typeof import('google-auth-library/build/src/auth/passthrough');
      anonymous = new PassThroughClient({
        transporterOptions: {fetchImplementation: apiHttpFetch},
      });
    }
    return {kind: 'anonymous', client: anonymous};
  }
  let auth = adc.get(scope);
  if (!auth) {
    auth = defaultCredentials(scope);
    adc.set(scope, auth);
  }
  return {kind: 'adc', auth};
}

/** Sends a request through whichever client `authFor` chose. */
export function requester(
  endpoint: string | undefined,
  scope?: string,
): AuthClient | GoogleAuth {
  const a = authFor(endpoint, scope);
  return a.kind === 'anonymous' ? a.client : a.auth;
}

/**
 * AssetInventoryPort on @google-cloud/asset with its REST transport (no gRPC:
 * a smaller cold start, and the same HTTP/1.1 JSON the fake speaks), aimed at
 * `config.endpoints.cloudAsset`. google-gax's own retries are switched off;
 * the edge (edge.ts) retries and translates. Every page of a search is read,
 * each page under its own retry.
 */
import * as path from 'path';
import type {protos, v1} from '@google-cloud/asset';
import type {Config} from '../config';
import type {Logger} from '../log';
import type {
  AnalyzeIamPolicyRequest,
  AssetInventoryPort,
  EffectiveIamPolicies,
  IamBinding,
  IamPolicy,
  IamPolicyAnalysisResult,
  IamPolicySearchResult,
  ResourceSearchResult,
} from '../ports';
import {authFor, requester} from './auth';
import {callGoogle, retryPolicy, type AdapterOptions} from './edge';

type Client = v1.AssetServiceClient;

/** Cloud Asset accepts at most 20 names per `effectiveIamPolicies:batchGet`. */
export const BATCH_GET_LIMIT = 20;
const PAGE_SIZE = 500;

/** Host, port and protocol of an endpoint base URL, as google-gax wants them. */
export function gaxEndpoint(
  endpoint: string | undefined,
  defaultHost: string,
): {apiEndpoint: string; port: number; protocol: 'http' | 'https'} {
  if (!endpoint)
    return {apiEndpoint: defaultHost, port: 443, protocol: 'https'};
  const url = new URL(endpoint);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    apiEndpoint: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

function makeClient(config: Config): Client {
  // Only the v1 client and google-gax's REST half are loaded (the package
  // index loads every API version, and google-gax's index loads gRPC).
  // google-gax is @google-cloud/asset's own dependency, installed once beside
  // it; should it ever not resolve from here, the client loads its own.
  const assetDir = path.dirname(require.resolve('@google-cloud/asset'));

  let gax: ConstructorParameters<typeof v1.AssetServiceClient>[1];
  try {
    gax = require('google-gax/build/src/fallback') as typeof gax;
  } catch {
    gax = undefined;
  }
  const {AssetServiceClient} = require(path.join(assetDir, 'v1')) as typeof v1;

  const auth = authFor(config.endpoints.cloudAsset);
  return new AssetServiceClient(
    {
      fallback: true,
      ...gaxEndpoint(config.endpoints.cloudAsset, 'cloudasset.googleapis.com'),
      // Otherwise google-gax builds its own GoogleAuth (Application Default
      // Credentials) and tunes it for Cloud Asset; the shared one stays as is.
      ...(auth.kind === 'anonymous' ? {authClient: auth.client} : {}),
    },
    gax,
  );
}

/** The JSON of `analyzeIamPolicy`, as far as the port needs it. */
interface AnalyzeResponse {
  mainAnalysis?: {
    analysisResults?: Array<{
      attachedResourceFullName?: string;
      iamBinding?: IamBinding;
      accessControlLists?: Array<{
        resources?: Array<{fullResourceName?: string}>;
      }>;
      identityList?: {identities?: Array<{name?: string}>};
      fullyExplored?: boolean;
    }>;
  };
}

/**
 * Protobuf-decoded objects carry nulls, empty strings and empty lists for
 * absent fields; the port wants them absent, as Google's JSON has them.
 */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value ?? {}), (_k, v: unknown) =>
    v === null || v === '' || (Array.isArray(v) && v.length === 0)
      ? undefined
      : v,
  ) as T;
}

/** A decoded policy: `etag` (bytes) back to Google's base64 text. */
function toPolicy(
  p: protos.google.iam.v1.IPolicy | null | undefined,
): IamPolicy {
  const {etag, version, ...rest} = p ?? {};
  const policy = plain<IamPolicy>(rest);
  if (version) policy.version = version;
  if (etag && etag.length) {
    policy.etag =
      typeof etag === 'string' ? etag : Buffer.from(etag).toString('base64');
  }
  return policy;
}

/** Builds the Cloud Asset adapter; the client library loads on first use. */
export function makeAssetInventoryClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): AssetInventoryPort {
  const policy = retryPolicy(options, config.backend);
  let client: Client | undefined;
  const api = () => (client ??= makeClient(config));
  // gax options: no gax retries (the edge retries), one page per call.
  const gaxOptions = (timeout: number) => ({
    timeout,
    retry: null,
    autoPaginate: false,
  });

  return {
    async batchGetEffectiveIamPolicies(scope, fullResourceNames) {
      const out: EffectiveIamPolicies[] = [];
      for (let i = 0; i < fullResourceNames.length; i += BATCH_GET_LIMIT) {
        const names = fullResourceNames.slice(i, i + BATCH_GET_LIMIT);
        const [response] = await callGoogle(
          {
            method: 'cloudasset.effectiveIamPolicies.batchGet',
            permission: 'cloudasset.assets.analyzeIamPolicy',
            resource: scope,
          },
          log,
          policy,
          timeout =>
            api().batchGetEffectiveIamPolicies(
              {scope, names},
              gaxOptions(timeout),
            ),
        );
        for (const r of response.policyResults ?? []) {
          out.push({
            fullResourceName: r.fullResourceName ?? '',
            policies: (r.policies ?? []).map(p => ({
              attachedResource: p.attachedResource ?? '',
              policy: toPolicy(p.policy),
            })),
          });
        }
      }
      return out;
    },

    async analyzeIamPolicy(request: AnalyzeIamPolicyRequest) {
      // Not through google-gax: its REST transcoder (5.x) drops the
      // `analysisQuery.` prefix of the selectors, which Google refuses. The
      // same authorised client sends the request Google documents
      // (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/analyzeIamPolicy).
      const params = new URLSearchParams();
      const q = (k: string, v: string) =>
        params.append(`analysisQuery.${k}`, v);
      if (request.identity) q('identitySelector.identity', request.identity);
      if (request.resource) {
        q('resourceSelector.fullResourceName', request.resource);
      }
      for (const role of request.roles ?? []) q('accessSelector.roles', role);
      if (request.expandGroups) q('options.expandGroups', 'true');
      if (request.expandResources) q('options.expandResources', 'true');
      // As upstream: Policy Analyzer may take as long as BACKEND_READ_TIMEOUT.
      params.append(
        'executionTimeout',
        `${Math.round(config.backend.readMs / 1000)}s`,
      );
      const endpoint =
        config.endpoints.cloudAsset ?? 'https://cloudasset.googleapis.com';
      const data = await callGoogle(
        {
          method: 'cloudasset.analyzeIamPolicy',
          permission: 'cloudasset.assets.analyzeIamPolicy',
          resource: request.scope,
        },
        log,
        policy,
        async timeout => {
          const res = await requester(
            config.endpoints.cloudAsset,
          ).request<AnalyzeResponse>({
            url: `${endpoint}/v1/${request.scope}:analyzeIamPolicy?${params}`,
            method: 'GET',
            timeout,
            retry: false,
            responseType: 'json',
          });
          return res.data;
        },
      );
      return (data.mainAnalysis?.analysisResults ?? []).map(
        (r): IamPolicyAnalysisResult => ({
          attachedResourceFullName: r.attachedResourceFullName ?? '',
          iamBinding: r.iamBinding ?? {role: '', members: []},
          resources: [
            ...new Set(
              (r.accessControlLists ?? []).flatMap(acl =>
                (acl.resources ?? []).map(x => x.fullResourceName ?? ''),
              ),
            ),
          ].filter(Boolean),
          identities: (r.identityList?.identities ?? [])
            .map(x => x.name ?? '')
            .filter(Boolean),
          fullyExplored: r.fullyExplored ?? false,
        }),
      );
    },

    async searchAllIamPolicies(scope, query) {
      const out: IamPolicySearchResult[] = [];
      let pageToken: string | undefined;
      do {
        const token = pageToken;
        const [results, , response] = await callGoogle(
          {
            method: 'cloudasset.searchAllIamPolicies',
            permission: 'cloudasset.assets.searchAllIamPolicies',
            resource: scope,
          },
          log,
          policy,
          timeout =>
            api().searchAllIamPolicies(
              {scope, query, pageSize: PAGE_SIZE, pageToken: token},
              gaxOptions(timeout),
            ),
        );
        for (const r of results) {
          out.push({
            ...plain<Omit<IamPolicySearchResult, 'policy'>>({
              resource: r.resource,
              assetType: r.assetType || undefined,
              project: r.project || undefined,
              folders: r.folders?.length ? r.folders : undefined,
              organization: r.organization || undefined,
            }),
            policy: toPolicy(r.policy),
          });
        }
        pageToken = response?.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },

    async searchAllResources(scope, request) {
      const out: ResourceSearchResult[] = [];
      let pageToken: string | undefined;
      do {
        const token = pageToken;
        const [results, , response] = await callGoogle(
          {
            method: 'cloudasset.searchAllResources',
            permission: 'cloudasset.assets.searchAllResources',
            resource: scope,
          },
          log,
          policy,
          timeout =>
            api().searchAllResources(
              {
                scope,
                query: request.query ?? '',
                assetTypes: request.assetTypes ?? [],
                pageSize: PAGE_SIZE,
                pageToken: token,
              },
              gaxOptions(timeout),
            ),
        );
        for (const r of results) {
          out.push(
            plain<ResourceSearchResult>({
              name: r.name,
              assetType: r.assetType,
              project: r.project || undefined,
              folders: r.folders?.length ? r.folders : undefined,
              organization: r.organization || undefined,
              displayName: r.displayName || undefined,
              state: r.state || undefined,
              additionalAttributes: r.additionalAttributes
                ? structToObject(r.additionalAttributes)
                : undefined,
              parentFullResourceName: r.parentFullResourceName || undefined,
            }),
          );
        }
        pageToken = response?.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },
  };
}

type Struct = protos.google.protobuf.IStruct;
type Value = protos.google.protobuf.IValue;

/** A protobuf Struct (as the REST transport decodes it) to a plain object. */
function structToObject(s: Struct): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fields ?? {})) out[k] = valueOf(v);
  return out;
}

function valueOf(v: Value): unknown {
  if (v.stringValue !== undefined && v.stringValue !== null)
    return v.stringValue;
  if (v.numberValue !== undefined && v.numberValue !== null)
    return v.numberValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.structValue) return structToObject(v.structValue);
  if (v.listValue) return (v.listValue.values ?? []).map(valueOf);
  return null;
}

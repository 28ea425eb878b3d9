/**
 * AssetInventoryPort over Cloud Asset's REST API
 * (https://cloud.google.com/asset-inventory/docs/reference/rest), sent as
 * plain authorised requests through the instance's auth client (auth.ts),
 * aimed at `config.endpoints.cloudAsset`. No client library: there is no
 * narrow `@googleapis/*` package for Cloud Asset, and `@google-cloud/asset`
 * loads google-gax with gRPC and builds protobuf roots, about 200 ms of a
 * cold start for four GET requests (docs/design-notes.md, "Cold start").
 * The edge (edge.ts) retries and translates. Every page of a search is read,
 * each page under its own retry.
 */
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
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

/** Cloud Asset accepts at most 20 names per `effectiveIamPolicies:batchGet`. */
export const BATCH_GET_LIMIT = 20;
const PAGE_SIZE = 500;

/** The JSON of `effectiveIamPolicies:batchGet`. */
interface BatchGetResponse {
  policyResults?: Array<{
    fullResourceName?: string;
    policies?: Array<{attachedResource?: string; policy?: IamPolicy}>;
  }>;
}

/** The JSON of a search page. */
interface SearchPage<T> {
  results?: T[];
  nextPageToken?: string;
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

/** Builds the Cloud Asset adapter; nothing is loaded until its first call. */
export function makeAssetInventoryClient(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): AssetInventoryPort {
  const policy = retryPolicy(options, config.backend);
  const endpoint =
    config.endpoints.cloudAsset ?? 'https://cloudasset.googleapis.com';

  /** One GET of `v1/{path}`, retried and translated by the edge. */
  const get = <T>(
    call: {method: string; permission: string; resource: string},
    path: string,
    params: URLSearchParams,
  ): Promise<T> =>
    callGoogleJson<T>(call, log, policy, {
      endpoint: config.endpoints.cloudAsset,
      url: `${endpoint}/v1/${path}?${params}`,
      method: 'GET',
    });

  /** Every page of a search, each under its own retry. */
  async function searchAll<T>(
    call: {method: string; permission: string; resource: string},
    path: string,
    params: URLSearchParams,
  ): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = new URLSearchParams(params);
      page.set('pageSize', String(PAGE_SIZE));
      if (pageToken) page.set('pageToken', pageToken);
      const data = await get<SearchPage<T>>(call, path, page);
      out.push(...(data.results ?? []));
      pageToken = data.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  return {
    async batchGetEffectiveIamPolicies(scope, fullResourceNames) {
      const out: EffectiveIamPolicies[] = [];
      for (let i = 0; i < fullResourceNames.length; i += BATCH_GET_LIMIT) {
        const params = new URLSearchParams();
        for (const name of fullResourceNames.slice(i, i + BATCH_GET_LIMIT)) {
          params.append('names', name);
        }
        const data = await get<BatchGetResponse>(
          {
            method: 'cloudasset.effectiveIamPolicies.batchGet',
            permission: 'cloudasset.assets.analyzeIamPolicy',
            resource: scope,
          },
          `${scope}/effectiveIamPolicies:batchGet`,
          params,
        );
        for (const r of data.policyResults ?? []) {
          out.push({
            fullResourceName: r.fullResourceName ?? '',
            policies: (r.policies ?? []).map(p => ({
              attachedResource: p.attachedResource ?? '',
              policy: p.policy ?? {},
            })),
          });
        }
      }
      return out;
    },

    async analyzeIamPolicy(request: AnalyzeIamPolicyRequest) {
      // Google's documented form: every selector under `analysisQuery.`
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
      const data = await get<AnalyzeResponse>(
        {
          method: 'cloudasset.analyzeIamPolicy',
          permission: 'cloudasset.assets.analyzeIamPolicy',
          resource: request.scope,
        },
        `${request.scope}:analyzeIamPolicy`,
        params,
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
      const results = await searchAll<IamPolicySearchResult>(
        {
          method: 'cloudasset.searchAllIamPolicies',
          permission: 'cloudasset.assets.searchAllIamPolicies',
          resource: scope,
        },
        `${scope}:searchAllIamPolicies`,
        new URLSearchParams({query}),
      );
      // Google's JSON leaves absent fields out, as the port has them.
      return results.map(r => ({...r, policy: r.policy ?? {}}));
    },

    async searchAllResources(scope, request) {
      const params = new URLSearchParams({query: request.query ?? ''});
      for (const t of request.assetTypes ?? []) params.append('assetTypes', t);
      return searchAll<ResourceSearchResult>(
        {
          method: 'cloudasset.searchAllResources',
          permission: 'cloudasset.assets.searchAllResources',
          resource: scope,
        },
        `${scope}:searchAllResources`,
        params,
      );
    },
  };
}

import type {IamBinding, IamPolicy} from './iam-policy';

/** One policy of `effectiveIamPolicies:batchGet`, attached at a resource. */
export interface AttachedPolicy {
  /** Full resource name, e.g. `//cloudresourcemanager.googleapis.com/folders/123`. */
  attachedResource: string;
  policy: IamPolicy;
}

export interface EffectiveIamPolicies {
  /** The full resource name asked for. */
  fullResourceName: string;
  /** The resource's own policy and its ancestors' (nearest first). */
  policies: AttachedPolicy[];
}

/** One result of `searchAllIamPolicies`. */
export interface IamPolicySearchResult {
  /** Full resource name of the resource the policy is attached to. */
  resource: string;
  assetType?: string;
  /** `projects/<number>` of the resource, when it is in a project. */
  project?: string;
  /** `folders/<n>` ancestors. */
  folders?: string[];
  organization?: string;
  policy: IamPolicy;
}

/** One result of `searchAllResources`. */
export interface ResourceSearchResult {
  /** Full resource name, e.g. `//cloudresourcemanager.googleapis.com/projects/my-project`. */
  name: string;
  assetType: string;
  /** `projects/<number>`. */
  project?: string;
  folders?: string[];
  organization?: string;
  displayName?: string;
  /** e.g. `ACTIVE`. */
  state?: string;
  /** Resource-specific fields, e.g. `projectId` for a project. */
  additionalAttributes?: Record<string, unknown>;
  parentFullResourceName?: string;
}

export interface AnalyzeIamPolicyRequest {
  /** `projects/<id>`, `folders/<n>` or `organizations/<n>`. */
  scope: string;
  /** `user:alice@example.com`: what this identity can access. */
  identity?: string;
  /** Full resource name: who can access this resource. */
  resource?: string;
  roles?: string[];
  expandGroups?: boolean;
  expandResources?: boolean;
}

/** One `analysisResults` entry of `analyzeIamPolicy`. */
export interface IamPolicyAnalysisResult {
  attachedResourceFullName: string;
  iamBinding: IamBinding;
  /** Resources the binding covers (expanded when expandResources). */
  resources: string[];
  /** Identities the binding applies to (`user:…`, `group:…`), groups expanded when asked. */
  identities: string[];
  fullyExplored: boolean;
}

/** Cloud Asset Inventory. */
export interface AssetInventoryPort {
  /** `effectiveIamPolicies:batchGet` (at most 20 names per call; the adapter splits). */
  batchGetEffectiveIamPolicies(
    scope: string,
    fullResourceNames: string[],
  ): Promise<EffectiveIamPolicies[]>;
  /** `analyzeIamPolicy`; every page is read. */
  analyzeIamPolicy(
    request: AnalyzeIamPolicyRequest,
  ): Promise<IamPolicyAnalysisResult[]>;
  /** `searchAllIamPolicies`; every page is read. */
  searchAllIamPolicies(
    scope: string,
    query: string,
  ): Promise<IamPolicySearchResult[]>;
  /** `searchAllResources`; every page is read. */
  searchAllResources(
    scope: string,
    request: {query?: string; assetTypes?: string[]},
  ): Promise<ResourceSearchResult[]>;
}

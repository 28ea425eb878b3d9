/**
 * Ports: what the domain needs from Google Cloud, in Google's own resource
 * shapes. Adapters in shared/google/ implement them on the client libraries;
 * tests and the sandbox aim those adapters at the fake Google Cloud
 * (sandbox/fake-gcp/). Nothing outside shared/google/ knows which client
 * library is behind a port.
 *
 * Adapters translate errors at their edge into shared/errors.ts types:
 * 403 → PermissionDeniedError/UnavailableError naming the missing permission,
 * 404 → NotFoundError naming the resource, 409/412 on setIamPolicy →
 * ConflictError, 429/5xx retried with back-off, then UnavailableError.
 */

export interface IamCondition {
  title?: string;
  description?: string;
  expression: string;
}

export interface IamBinding {
  role: string;
  members: string[];
  condition?: IamCondition;
}

export interface IamPolicy {
  version?: number;
  etag?: string;
  bindings?: IamBinding[];
  /** Sent back untouched (deep-equal) on write. */
  auditConfigs?: unknown[];
}

/** Resource Manager v3 `projects.getIamPolicy` / `setIamPolicy`. */
export interface ProjectIamPort {
  /** Reads the policy at version 3. `projectId` is a project ID, not a name. */
  getIamPolicy(projectId: string): Promise<IamPolicy>;
  /**
   * Writes the policy (version 3, carrying the etag that was read). Throws
   * ConflictError on 409 ABORTED or 412. `requestReason` is sent as
   * `x-goog-request-reason`, percent-encoded to ASCII.
   */
  setIamPolicy(
    projectId: string,
    policy: IamPolicy,
    options?: {requestReason?: string},
  ): Promise<IamPolicy>;
}

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

/** Cloud Identity groups, as far as eligibility and peers need them. */
export interface DirectoryPort {
  /**
   * Email addresses (lower-case) of every group the user is a member of,
   * directly or through nested groups: `searchTransitiveGroups`, or where the
   * edition refuses it (403), `searchDirectGroups` applied recursively
   * (cycle-safe, depth ≤ 10).
   */
  groupsOf(userEmail: string): Promise<string[]>;
  /**
   * Email addresses (lower-case) of the users in a group, nested groups
   * expanded: `groups:lookup` then `searchTransitiveMemberships`, or where the
   * edition refuses it, `memberships.list` applied recursively. An unknown
   * group yields an empty list.
   */
  usersIn(groupEmail: string): Promise<string[]>;
}

/** Resource Manager v3 `projects:search` (AVAILABLE_PROJECTS_QUERY). */
export interface ProjectSearchPort {
  /** Project IDs of the active projects matching the query; every page is read. */
  searchProjects(query: string): Promise<string[]>;
}

/** Compute v1 `backendServices.get` / `regionBackendServices.get` (audience rule 3). */
export interface BackendServicePort {
  /** The numeric ID of a backend service, global or in `region`. */
  getBackendServiceId(
    projectId: string,
    name: string,
    region?: string,
  ): Promise<string>;
}

/** The metadata server. */
export interface MetadataPort {
  projectId(): Promise<string>;
  /** Numeric project number. */
  projectNumber(): Promise<string>;
  /** The region the instance runs in, e.g. `europe-west1`. */
  region(): Promise<string>;
}

/** Secret Manager `versions:access`. */
export interface SecretPort {
  /** The payload of a secret version, as UTF-8 text. */
  accessSecretVersion(name: string): Promise<string>;
}

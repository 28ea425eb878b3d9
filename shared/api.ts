/**
 * The JSON API on the wire (docs/design.md §2.1): every request body and
 * every answer, in one module. The routes check their answers against these
 * types with `satisfies`, and the web UI calls the API with them, so the two
 * cannot drift apart. Types only: importing this module loads no code.
 */
import type {Activation} from './activation/self-activation';
import type {AccessRequest} from './approvals/types';
import type {ReconcileSummary} from './grants/reconcile';
import type {Grant as GrantRecord, GrantState} from './grants/types';
import type {Entitlement, EntitlementId} from './eligibility/types';

export type {Activation} from './activation/self-activation';
export type {
  AccessRequest,
  Approval,
  NotificationStatus,
  RequestState,
} from './approvals/types';
export type {ErrorBody} from './errors';
export type {GrantBinding, GrantState, TimelineEntry} from './grants/types';

/**
 * A grant as the API answers it: the stored record, its state as read (an
 * ACTIVE grant past its end reads EXPIRED).
 */
export type Grant = Omit<GrantRecord, 'state'> & {state: GrantState};
export type {
  ActivationType,
  Entitlement,
  EntitlementId,
  EntitlementStatus,
} from './eligibility/types';

/** `GET /health`. */
export interface HealthResponse {
  healthy: true;
}

/**
 * `GET /health/alive` (always healthy, no details) and `GET /health/ready`
 * (200 when healthy, else 503), in JIT Access 1.x's shape. `details` names
 * each check (true: passed) and whether optional features are configured
 * (`mailConfigured`, …), which never makes an instance unhealthy. Never a
 * reason or a value: those go to the log.
 */
export interface HealthCheckResponse {
  healthy: boolean;
  details: Record<string, boolean>;
}

/** `GET /api/policy`: what the UI needs to know before the user acts. */
export interface PolicyResponse {
  signedInUser: {email: string};
  justificationHint: string;
  justificationPattern: string;
  defaultActivationMinutes: number;
  maxActivationMinutes: number;
  minReviewers: number;
  maxReviewers: number;
  requiredApprovals: number;
  maxRoles: number;
  requestTimeoutMinutes: number;
  scope: string;
}

/** `GET /api/projects`. */
export interface ProjectsResponse {
  projects: string[];
}

/** `GET /api/projects/{project}/roles`. */
export interface RolesResponse {
  roles: Entitlement[];
  /** Safe to show: bindings that were ignored, data that could not be read. */
  warnings: string[];
}

/** `GET /api/projects/{project}/peers?role=…&resourceCondition=…`. */
export interface PeersResponse {
  peers: string[];
}

/** An entitlement as a body names it: a role, or a role and its resource condition. */
export type EntitlementName = string | EntitlementId;

/** `POST /api/projects/{project}/roles/self-activate`. */
export interface SelfActivateBody {
  roles: EntitlementName[];
  justification: string;
  durationMinutes: number;
}

export interface SelfActivateResponse {
  activations: Activation[];
}

/** `POST /api/projects/{project}/roles/request` → 201 AccessRequest. */
export interface RequestRoleBody extends EntitlementId {
  justification: string;
  durationMinutes: number;
  reviewers: string[];
}

export interface RequestsResponse {
  requests: AccessRequest[];
}

/** The decisions on a request: `POST /api/requests/{id}/<action>`. */
export type RequestAction = 'approve' | 'deny' | 'withdraw' | 'remind';

/** `GET /api/grants?as=holder|reviewer|auditor[&state&project&user&pageToken]`. */
export interface GrantsResponse {
  grants: Grant[];
  /** Pass as `pageToken` for the next page; absent on the last. */
  nextPageToken?: string;
  /** In the holder's view: whether the caller may use the auditor's. */
  auditor?: boolean;
}

/** `POST /api/grants/{id}/revoke` `{reason?}`. */
export interface RevokeResponse {
  grant: Grant;
  /** False when the binding was already gone from the policy. */
  bindingRemoved: boolean;
  /** IAM's propagation delay, to show. */
  note: string;
}

/** `POST /api/reconcile` (auditors) and the `reconcile` target's `POST /reconcile`. */
export type ReconcileResponse = ReconcileSummary;

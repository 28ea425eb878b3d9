/**
 * The JSON API of docs/design.md §2.1, as the browser calls it. Every POST carries
 * `Content-Type: application/json` and `X-JIT-Access: 1` (the server's
 * cross-site request forgery defence); every error surfaces as an ApiError
 * whose message is the server's own.
 */

// The wire types are the server's own (shared/api.ts): type-only imports,
// erased when the UI is bundled.
import type {
  AccessRequest,
  EntitlementId,
  PeersResponse,
  PolicyResponse,
  ProjectsResponse,
  RequestAction,
  RequestRoleBody,
  RequestsResponse,
  RequestState,
  RolesResponse,
  SelfActivateBody,
  SelfActivateResponse,
  GrantsResponse,
  RevokeResponse,
  ReconcileResponse,
  Grant,
} from '../../shared/api';

export type {
  AccessRequest,
  Activation,
  ActivationType,
  Approval,
  RequestAction,
  RequestState,
  Grant,
  GrantState,
} from '../../shared/api';
/** Whose grants a listing shows. */
export type GrantView = 'holder' | 'reviewer' | 'auditor';
export type Policy = PolicyResponse;
export type RoleEntry = RolesResponse['roles'][number];
export type RoleStatus = RoleEntry['status'];
export type Entitlement = EntitlementId;

/** An API failure, with the server's message (safe to show). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function call<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {Accept: 'application/json'};
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    headers['X-JIT-Access'] = '1';
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      // IAP answers an expired session with a redirect to Google's sign-in.
      redirect: 'error',
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    throw new ApiError(
      'The server could not be reached, or your session has expired: reload the page.',
      0,
    );
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  if (!response.ok) {
    const message = (payload as {error?: {message?: unknown}} | undefined)
      ?.error?.message;
    throw new ApiError(
      typeof message === 'string' && message
        ? message
        : `The server answered ${response.status} ${response.statusText}`.trim(),
      response.status,
    );
  }
  if (payload === undefined) {
    throw new ApiError('The server sent an answer that is not JSON.', 0);
  }
  return payload as T;
}

const segment = encodeURIComponent;

/** The endpoints the UI uses. */
export const api = {
  policy: () => call<PolicyResponse>('GET', '/api/policy'),
  projects: () => call<ProjectsResponse>('GET', '/api/projects'),
  roles: (project: string) =>
    call<RolesResponse>('GET', `/api/projects/${segment(project)}/roles`),
  peers: (project: string, entitlement: Entitlement) => {
    const query = new URLSearchParams({role: entitlement.role});
    if (entitlement.resourceCondition !== undefined) {
      query.set('resourceCondition', entitlement.resourceCondition);
    }
    return call<PeersResponse>(
      'GET',
      `/api/projects/${segment(project)}/peers?${query.toString()}`,
    );
  },
  selfActivate: (project: string, body: SelfActivateBody) =>
    call<SelfActivateResponse>(
      'POST',
      `/api/projects/${segment(project)}/roles/self-activate`,
      body,
    ),
  requestApproval: (project: string, body: RequestRoleBody) =>
    call<AccessRequest>(
      'POST',
      `/api/projects/${segment(project)}/roles/request`,
      body,
    ),
  requests: (as: 'requester' | 'reviewer', state?: RequestState) =>
    call<RequestsResponse>(
      'GET',
      `/api/requests?as=${as}${state ? `&state=${state}` : ''}`,
    ),
  request: (id: string) =>
    call<AccessRequest>('GET', `/api/requests/${segment(id)}`),
  act: (id: string, action: RequestAction, body: object = {}) =>
    call<AccessRequest>('POST', `/api/requests/${segment(id)}/${action}`, body),
  grants: (as: GrantView, filters: Record<string, string> = {}) =>
    call<GrantsResponse>(
      'GET',
      `/api/grants?${new URLSearchParams({as, ...filters}).toString()}`,
    ),
  grant: (id: string) => call<Grant>('GET', `/api/grants/${segment(id)}`),
  revokeGrant: (id: string, body: {reason?: string}) =>
    call<RevokeResponse>('POST', `/api/grants/${segment(id)}/revoke`, body),
  reconcile: () => call<ReconcileResponse>('POST', '/api/reconcile', {}),
};

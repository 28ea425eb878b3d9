/**
 * The JSON API of DESIGN §2.1, as the browser calls it. Every POST carries
 * `Content-Type: application/json` and `X-JIT-Access: 1` (the server's
 * cross-site request forgery defence); every error surfaces as an ApiError
 * whose message is the server's own.
 */

export interface Policy {
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

export type ActivationType = 'JIT' | 'MPA';
export type RoleStatus = 'ELIGIBLE' | 'ACTIVE' | 'PENDING_APPROVAL';

export interface RoleEntry {
  role: string;
  resourceCondition?: string;
  activationType: ActivationType;
  status: RoleStatus;
  validUntil?: string;
  requestId?: string;
}

export interface Entitlement {
  role: string;
  resourceCondition?: string;
}

export interface Activation {
  role: string;
  resourceCondition?: string;
  project: string;
  start: string;
  end: string;
}

// The wire types are the server's own: a type-only import, erased when the
// UI is transpiled.
export type {
  AccessRequest,
  Approval,
  RequestState,
} from '../../shared/approvals/types';
import type {AccessRequest, RequestState} from '../../shared/approvals/types';

export type RequestAction = 'approve' | 'deny' | 'withdraw' | 'remind';

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
  policy: () => call<Policy>('GET', '/api/policy'),
  projects: () => call<{projects: string[]}>('GET', '/api/projects'),
  roles: (project: string) =>
    call<{roles: RoleEntry[]; warnings?: string[]}>(
      'GET',
      `/api/projects/${segment(project)}/roles`,
    ),
  peers: (project: string, entitlement: Entitlement) => {
    const query = new URLSearchParams({role: entitlement.role});
    if (entitlement.resourceCondition !== undefined) {
      query.set('resourceCondition', entitlement.resourceCondition);
    }
    return call<{peers: string[]}>(
      'GET',
      `/api/projects/${segment(project)}/peers?${query.toString()}`,
    );
  },
  selfActivate: (
    project: string,
    body: {
      roles: Entitlement[];
      justification: string;
      durationMinutes: number;
    },
  ) =>
    call<{activations: Activation[]}>(
      'POST',
      `/api/projects/${segment(project)}/roles/self-activate`,
      body,
    ),
  requestApproval: (
    project: string,
    body: Entitlement & {
      justification: string;
      durationMinutes: number;
      reviewers: string[];
    },
  ) =>
    call<AccessRequest>(
      'POST',
      `/api/projects/${segment(project)}/roles/request`,
      body,
    ),
  requests: (as: 'requester' | 'reviewer', state?: RequestState) =>
    call<{requests: AccessRequest[]}>(
      'GET',
      `/api/requests?as=${as}${state ? `&state=${state}` : ''}`,
    ),
  request: (id: string) =>
    call<AccessRequest>('GET', `/api/requests/${segment(id)}`),
  act: (id: string, action: RequestAction, body: object = {}) =>
    call<AccessRequest>('POST', `/api/requests/${segment(id)}/${action}`, body),
};

/**
 * The events published to NOTIFICATION_TOPIC (docs/design.md §2.2): upstream's
 * three, byte for byte, and ours in the same shape. Each event is one line of
 * EVENTS, naming its attributes in the order upstream's Notification classes
 * put them; each attribute is one entry of ATTRIBUTES, saying how it is read
 * from the facts of the event. Pure: no I/O.
 */
import type {AccessRequest} from '../approvals/types';
import type {Grant} from '../grants/types';
import {requestLink} from '../notifications/public-url';
import {formatEvent, javaInstant, type EventValue} from './gson';

/** What an event can tell; each event picks the attributes it needs. */
export interface EventFacts {
  /** Who holds (or would hold) the roles. */
  beneficiary: string;
  project: string;
  /** One role, or several activated together (self-activation). */
  roles: readonly string[];
  resourceCondition?: string;
  reviewers?: readonly string[];
  /** RFC 3339 instants. */
  start?: string;
  end?: string;
  requestExpiry?: string;
  justification: string;
  /** Who decided: the approver, or the reviewer who denied. */
  actor?: string;
  /** Why a reviewer denied. */
  reason?: string;
  /** Why an activation failed (safe to show). */
  error?: string;
  /** The request's id, for its link. */
  requestId?: string;
  /** The grant record's id (docs/grants.md). */
  grantId?: string;
  /** What reconciliation found (a binding gone or changed outside JIT Access). */
  detail?: string;
}

/** Where links point: the app's base URL, when it is known. */
export interface EventLinks {
  baseUrl?: string;
}

const instant = (at: string | undefined) =>
  at === undefined ? '' : javaInstant(at);

/**
 * Every attribute, under upstream's upper-case name (it is hashed under that
 * name: the order of a message depends on it). Absent facts read as "", as
 * upstream's `Strings.nullToEmpty` makes of a missing resource condition.
 */
const ATTRIBUTES = {
  APPROVER: f => f.actor ?? '',
  REVIEWER: f => f.actor ?? '',
  REVOKER: f => f.actor ?? '',
  BENEFICIARY: f => f.beneficiary,
  REVIEWERS: f => [...(f.reviewers ?? [])],
  PROJECT_ID: f => f.project,
  // Upstream joins the roles of one self-activation with ", ".
  ROLE: f => f.roles.join(', '),
  RESOURCE_CONDITION: f => f.resourceCondition ?? '',
  START_TIME: f => instant(f.start),
  END_TIME: f => instant(f.end),
  REQUEST_EXPIRY_TIME: f => instant(f.requestExpiry),
  JUSTIFICATION: f => f.justification,
  REASON: f => f.reason ?? '',
  ERROR: f => f.error ?? '',
  DETAIL: f => f.detail ?? '',
  GRANT_ID: f => f.grantId ?? '',
  // Upstream's is the root of the app, with a trailing slash.
  BASE_URL: (_, links) => (links.baseUrl ? `${links.baseUrl}/` : ''),
  ACTION_URL: (f, links) =>
    links.baseUrl && f.requestId ? requestLink(links.baseUrl, f.requestId) : '',
} satisfies Record<
  string,
  (facts: EventFacts, links: EventLinks) => EventValue
>;
type Attribute = keyof typeof ATTRIBUTES;

/**
 * Every event and its attributes, in the order upstream puts them. The first
 * three are upstream's (RequestAndSelfApproveAction, RequestActivationAction,
 * ApproveActivationRequestAction at tag 1.8.1): never change them.
 */
// prettier-ignore
export const EVENTS = {
  ActivationSelfApproved: ['BENEFICIARY', 'PROJECT_ID', 'ROLE', 'START_TIME', 'END_TIME', 'JUSTIFICATION'],
  RequestActivation: ['BENEFICIARY', 'REVIEWERS', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'START_TIME', 'END_TIME', 'REQUEST_EXPIRY_TIME', 'JUSTIFICATION', 'BASE_URL', 'ACTION_URL'],
  ActivationApproved: ['APPROVER', 'BENEFICIARY', 'REVIEWERS', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'START_TIME', 'END_TIME', 'JUSTIFICATION', 'BASE_URL'],
  ActivationRequestDenied: ['REVIEWER', 'BENEFICIARY', 'REVIEWERS', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'JUSTIFICATION', 'REASON', 'BASE_URL', 'ACTION_URL'],
  ActivationRequestWithdrawn: ['BENEFICIARY', 'REVIEWERS', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'JUSTIFICATION', 'BASE_URL', 'ACTION_URL'],
  ActivationFailed: ['APPROVER', 'BENEFICIARY', 'REVIEWERS', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'START_TIME', 'END_TIME', 'JUSTIFICATION', 'ERROR', 'BASE_URL', 'ACTION_URL'],
  ActivationRevoked: ['REVOKER', 'BENEFICIARY', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'START_TIME', 'END_TIME', 'JUSTIFICATION', 'REASON', 'GRANT_ID', 'BASE_URL'],
  ActivationExternallyModified: ['BENEFICIARY', 'PROJECT_ID', 'ROLE', 'RESOURCE_CONDITION', 'START_TIME', 'END_TIME', 'JUSTIFICATION', 'DETAIL', 'GRANT_ID', 'BASE_URL'],
} as const satisfies Record<string, readonly Attribute[]>;

export type EventType = keyof typeof EVENTS;

/** One event: its type and its attributes, lower-case, in upstream's put order. */
export interface JitEvent {
  type: EventType;
  attributes: Record<string, EventValue>;
}

export function buildEvent(
  type: EventType,
  facts: EventFacts,
  links: EventLinks,
): JitEvent {
  const attributes: Record<string, EventValue> = {};
  for (const name of EVENTS[type]) {
    attributes[name.toLowerCase()] = ATTRIBUTES[name](facts, links);
  }
  return {type, attributes};
}

/** The message's data as upstream would write it (UTF-8 of this text). */
export function eventText(event: JitEvent): string {
  return formatEvent(event.type, Object.entries(event.attributes));
}

/** What every event says of the binding: whose, where, which role, when, why. */
function bindingFacts(b: {
  user: string;
  project: string;
  role: string;
  resourceCondition?: string;
  start: string;
  end: string;
  justification: string;
}): EventFacts {
  return {
    beneficiary: b.user,
    project: b.project,
    roles: [b.role],
    ...(b.resourceCondition !== undefined
      ? {resourceCondition: b.resourceCondition}
      : {}),
    start: b.start,
    end: b.end,
    justification: b.justification,
  };
}

/**
 * The facts of a request. The window is the activation's once there is one;
 * before, the one requested, from the request's creation (in whole seconds,
 * as upstream starts it) for its duration.
 */
export function requestFacts(
  request: AccessRequest,
  actor?: string,
): EventFacts {
  const created = Math.floor(Date.parse(request.createdAt) / 1000) * 1000;
  const start = request.activation?.start ?? new Date(created).toISOString();
  const end =
    request.activation?.end ??
    new Date(created + request.durationMinutes * 60_000).toISOString();
  return {
    ...bindingFacts({
      user: request.requester,
      project: request.project,
      role: request.role,
      resourceCondition: request.resourceCondition,
      start,
      end,
      justification: request.justification,
    }),
    reviewers: request.reviewers,
    requestExpiry: request.expiresAt,
    ...(actor !== undefined ? {actor} : {}),
    ...(request.reason !== undefined ? {reason: request.reason} : {}),
    ...(request.error !== undefined ? {error: request.error} : {}),
    requestId: request.id,
  };
}

/** The facts of a grant record: its holder, role and window. */
export function grantFacts(
  grant: Grant,
  extra: {actor?: string; reason?: string; detail?: string} = {},
): EventFacts {
  return {...bindingFacts(grant), grantId: grant.id, ...extra};
}

/**
 * Activation requests awaiting multi-party approval (docs/design.md §2.1, §5).
 */

/** Every state a request can be in; EXPIRED is never stored, only read. */
export const RequestState = [
  'PENDING',
  'APPROVED',
  'ACTIVE',
  'FAILED',
  'DENIED',
  'WITHDRAWN',
  'EXPIRED',
] as const;
export type RequestState = (typeof RequestState)[number];

/** States from which nothing can move on. */
export const FINAL_STATES: ReadonlySet<RequestState> = new Set([
  'ACTIVE',
  'DENIED',
  'WITHDRAWN',
  'EXPIRED',
]);

export interface Approval {
  reviewer: string;
  /** RFC 3339 UTC. */
  at: string;
  comment?: string;
}

export interface NotificationStatus {
  delivered: boolean;
  /** Safe to show: what went wrong with the mail. */
  error?: string;
}

/** The outcome of publishing an event (NOTIFICATION_TOPIC). */
export interface EventStatus {
  published: boolean;
  /** Safe to show: what went wrong with the publication. */
  error?: string;
}

/** Where the request's Google Chat cards are, and how their last post went. */
export interface ChatStatus {
  delivered: boolean;
  /** Safe to show: what went wrong with Chat. */
  error?: string;
  /** The cards' messages (`spaces/<s>/messages/<m>`), oldest first. */
  messages: string[];
  /** The cards show an outcome and have no buttons left. */
  final?: boolean;
}

/** The `Request` of docs/design.md §2.1; times are RFC 3339 UTC strings. */
export interface AccessRequest {
  /** 128 random bits, base64url. */
  id: string;
  project: string;
  role: string;
  resourceCondition?: string;
  requester: string;
  reviewers: string[];
  justification: string;
  durationMinutes: number;
  state: RequestState;
  approvals: Approval[];
  requiredApprovals: number;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  activation?: {start: string; end: string};
  error?: string;
  notification?: NotificationStatus;
  /** The last event published about the request; absent without NOTIFICATION_TOPIC. */
  event?: EventStatus;
  /** The request's Chat cards; absent without CHAT_SPACE or CHAT_DIRECT_MESSAGES. */
  chat?: ChatStatus;
  /**
   * RFC 3339 UTC: when the requester last sent a reminder; absent until the
   * first (the cooldown then counts from `createdAt`).
   */
  lastRemindedAt?: string;
}

/** How long a request is kept after its last possible change (Firestore TTL). */
export const RETENTION_DAYS = 30;

/** An APPROVED record older than this reads as FAILED (docs/design.md §2.1). */
export const APPROVED_STALE_MS = 2 * 60 * 1000;

/** A reminder may be sent at most once this often (since the last, or creation). */
export const REMIND_COOLDOWN_MS = 5 * 60 * 1000;

export {MAX_REASON_LENGTH} from '../limits';

import type {AccessRequest, NotificationStatus} from '../approvals/types';

/** What a message is about. */
export const MailEvent = [
  'requested',
  'reminded',
  'activated',
  'denied',
  'withdrawn',
] as const;
export type MailEvent = (typeof MailEvent)[number];

/**
 * Tells the people concerned about a change of a request
 * (shared/notifications/smtp-notifier.ts mails them). Never throws: a message
 * that could not be sent is reported in the status, so that it can never lose
 * or roll back a request.
 */
export interface Notifier {
  notify(event: MailEvent, request: AccessRequest): Promise<NotificationStatus>;
  /**
   * Tells a user (and NOTIFY_SELF_ACTIVATION's recipients) that they
   * activated roles themselves. Never throws, as `notify`.
   */
  notifySelfActivation(
    notice: SelfActivationNotice,
  ): Promise<NotificationStatus>;
  /**
   * Tells the reviewers who approved a grant, and its holder, that it was
   * ended early. Never throws, as `notify`.
   */
  notifyRevoked(notice: RevocationNotice): Promise<NotificationStatus>;
}

/** An approved grant ended early, as its mail tells it. */
export interface RevocationNotice {
  grantId: string;
  /** The request whose approval made the grant. */
  requestId: string;
  user: string;
  project: string;
  role: string;
  resourceCondition?: string;
  /** The reviewers who approved it. */
  approvers: string[];
  revokedBy: string;
  reason?: string;
  /** RFC 3339 UTC: when it was revoked, and when it would have ended. */
  at: string;
  end: string;
}

/** A self-activation as its mail tells it; times are RFC 3339 UTC strings. */
export interface SelfActivationNotice {
  user: string;
  project: string;
  entitlements: Array<{role: string; resourceCondition?: string}>;
  justification: string;
  start: string;
  end: string;
}

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

/**
 * The mails of a request's life, as HTML and plain text. Every value from the
 * request goes through the `html` tag (escaped by construction), and is
 * quoted in the plain text when it spans lines; times are shown in
 * NOTIFICATION_TIMEZONE.
 */
import type {AccessRequest} from '../approvals/types';
import type {
  MailEvent,
  RevocationNotice,
  SelfActivationNotice,
} from '../ports/notifier';
import {replaceUnsafeCharacters} from '../limits';
import {html, safeHref, SafeHtml, toHtmlString} from './html';

export interface Mail {
  to: string[];
  cc: string[];
  subject: string;
  html: string;
  text: string;
}

export interface MailContext {
  /** The page the button opens, or undefined when no base URL is known. */
  link?: string;
  timezone: string;
}

/** A time as the reader's organisation reads it, e.g. "25 Nov 2026, 23:05 CET". */
export function formatTime(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  })
    .format(new Date(iso))
    .concat(' ', zoneName(iso, timezone));
}

function zoneName(iso: string, timezone: string): string {
  const part = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    timeZoneName: 'short',
  })
    .formatToParts(new Date(iso))
    .find(p => p.type === 'timeZoneName');
  return part?.value ?? timezone;
}

/** Subjects are headers: no line breaks, whatever the request says. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').slice(0, 200);
}

// Everything a reader or a mail client may take for the end of a line.
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/**
 * The lines of a value as the mail shows them: split at every line break,
 * each without controls or bidirectional overrides (U+FFFD in their place).
 * The API refuses those in the text it stores; a request stored before that
 * rule, or written around the API, may still hold them.
 */
function shownLines(value: string): string[] {
  return value.split(LINE_BREAK).map(replaceUnsafeCharacters);
}

/** A value on one line: its line breaks become spaces. */
function shownInline(value: string): string {
  return shownLines(value).join(' ');
}

/**
 * A row of the plain-text part. A value of several lines is quoted below its
 * label, every line after "> ", so that none of it can pass for the mail's own
 * text (its link, its footer).
 */
function textRow(label: string, value: string): string[] {
  const lines = shownLines(value);
  return lines.length === 1
    ? [`${label}: ${lines[0]}`]
    : [`${label}:`, ...lines.map(line => `> ${line}`)];
}

function entitlement(r: AccessRequest): string {
  return r.resourceCondition
    ? `${r.role} (condition: ${r.resourceCondition})`
    : r.role;
}

interface Content {
  to: string[];
  cc: string[];
  subject: string;
  lead: string;
  /** Extra rows shown after the request's own. */
  rows: Array<[string, string]>;
  button?: string;
}

function content(event: MailEvent, r: AccessRequest, tz: string): Content {
  const what = `${entitlement(r)} on ${r.project}`;
  const toReviewers = {to: r.reviewers, cc: [r.requester]};
  const toRequester = {to: [r.requester], cc: r.reviewers};
  switch (event) {
    case 'requested':
    case 'reminded':
      return {
        ...toReviewers,
        subject: `${event === 'reminded' ? 'Reminder: ' : ''}${r.requester} requests ${r.role} on ${r.project}`,
        lead: `${r.requester} asks you to approve access to ${what}.`,
        rows: [['Expires', formatTime(r.expiresAt, tz)]],
        button: 'Review the request',
      };
    case 'activated':
      return {
        ...toRequester,
        subject: `Access to ${r.role} on ${r.project} is active`,
        lead: `Your request for ${what} was approved by ${r.approvals.map(a => a.reviewer).join(', ')}.`,
        rows: r.activation
          ? [
              ['Active from', formatTime(r.activation.start, tz)],
              ['Until', formatTime(r.activation.end, tz)],
            ]
          : [],
        button: 'View the request',
      };
    case 'denied':
      return {
        ...toRequester,
        subject: `Request for ${r.role} on ${r.project} denied`,
        lead: `${r.decidedBy ?? 'A reviewer'} denied your request for ${what}.`,
        rows: [['Reason', r.reason ?? '']],
        button: 'View the request',
      };
    case 'withdrawn':
      return {
        ...toReviewers,
        subject: `Request for ${r.role} on ${r.project} withdrawn`,
        lead: `${r.requester} withdrew the request for ${what}. No action is needed.`,
        rows: [],
      };
  }
}

/** A mail before it is rendered: its text, rows and button. */
interface Layout {
  to: string[];
  cc: string[];
  subject: string;
  lead: string;
  rows: Array<[string, string]>;
  /** The button's label and the link it opens; no button when absent. */
  button?: {label: string; link?: string};
  footer: string;
}

const NO_LINK =
  'The link to this page is unavailable: the administrator must set PUBLIC_BASE_URL.';

/**
 * Renders a mail as HTML and plain text: every value is escaped in the HTML
 * (the `html` tag) and quoted in the text when it spans lines.
 */
function render(m: Layout): Mail {
  const lead = shownInline(m.lead);
  const href = m.button?.link ? safeHref(m.button.link) : undefined;
  const button: SafeHtml = !m.button
    ? html``
    : href
      ? html`<p>
          <a
            href="${href}"
            style="display:inline-block;padding:10px 18px;background:#1a73e8;color:#ffffff;text-decoration:none;border-radius:4px"
            >${m.button.label}</a
          >
        </p>`
      : html`<p>${NO_LINK}</p>`;
  const body = html`<!DOCTYPE html>
    <html>
      <body style="font-family:Arial,sans-serif;font-size:14px">
        <p>${lead}</p>
        <table cellpadding="4">
          ${m.rows.map(
            ([k, v]) =>
              html`<tr>
                <th align="left">${k}</th>
                <td>${shownInline(v)}</td>
              </tr>`,
          )}
        </table>
        ${button}
        <p style="color:#5f6368;font-size:12px">${m.footer}</p>
      </body>
    </html>`;
  const text = [
    lead,
    '',
    ...m.rows.flatMap(([k, v]) => textRow(k, v)),
    '',
    ...(m.button ? [href ? `${m.button.label}: ${href}` : NO_LINK, ''] : []),
    m.footer,
  ].join('\n');
  return {
    to: m.to,
    cc: m.cc,
    subject: oneLine(m.subject),
    html: toHtmlString(body),
    text,
  };
}

/** Builds the mail for `event`; every request value is escaped in the HTML. */
export function composeMail(
  event: MailEvent,
  request: AccessRequest,
  context: MailContext,
): Mail {
  const c = content(event, request, context.timezone);
  return render({
    to: c.to,
    cc: c.cc,
    subject: c.subject,
    lead: c.lead,
    rows: [
      ['Requester', request.requester],
      ['Role', request.role],
      ...(request.resourceCondition
        ? [['Condition', request.resourceCondition] as [string, string]]
        : []),
      ['Project', request.project],
      ['Justification', request.justification],
      ['Duration', `${request.durationMinutes} minutes`],
      ...c.rows,
    ],
    button: c.button ? {label: c.button, link: context.link} : undefined,
    footer: `Request ${request.id}. JIT Access sent this mail automatically.`,
  });
}

/**
 * The mail of a self-activation (NOTIFY_SELF_ACTIVATION): to the user, with
 * the configured recipients in copy. `context.link` opens the project's roles.
 */
export function composeSelfActivationMail(
  notice: SelfActivationNotice,
  cc: readonly string[],
  context: MailContext,
): Mail {
  const roles = notice.entitlements.map(e => e.role);
  const rows: Array<[string, string]> = [['User', notice.user]];
  for (const e of notice.entitlements) {
    rows.push(['Role', e.role]);
    if (e.resourceCondition) rows.push(['Condition', e.resourceCondition]);
  }
  rows.push(
    ['Project', notice.project],
    ['Justification', notice.justification],
    ['Active from', formatTime(notice.start, context.timezone)],
    ['Until', formatTime(notice.end, context.timezone)],
  );
  return render({
    to: [notice.user],
    cc: cc.filter(a => a !== notice.user),
    subject:
      roles.length === 1
        ? `${notice.user} activated ${roles[0]} on ${notice.project}`
        : `${notice.user} activated ${roles.length} roles on ${notice.project}`,
    lead: `${notice.user} activated ${roles.length === 1 ? 'a role' : `${roles.length} roles`} on ${notice.project} without approval, as they are eligible to.`,
    rows,
    button: {label: 'Open JIT Access', link: context.link},
    footer:
      'JIT Access sent this mail automatically. If you did not expect this activation, tell your administrator.',
  });
}

/**
 * The mail of an approved grant ended early: to the reviewers who approved
 * it, the holder in copy. `context.link` opens the request.
 */
export function composeRevocationMail(
  notice: RevocationNotice,
  context: MailContext,
): Mail {
  const rows: Array<[string, string]> = [
    ['User', notice.user],
    ['Role', notice.role],
  ];
  if (notice.resourceCondition) {
    rows.push(['Condition', notice.resourceCondition]);
  }
  rows.push(
    ['Project', notice.project],
    ['Ended by', notice.revokedBy],
    ...(notice.reason ? [['Reason', notice.reason] as [string, string]] : []),
    ['Ended at', formatTime(notice.at, context.timezone)],
    ['Would have lasted until', formatTime(notice.end, context.timezone)],
  );
  const self = notice.revokedBy === notice.user;
  return render({
    to: notice.approvers,
    cc: notice.approvers.includes(notice.user) ? [] : [notice.user],
    subject: `Access to ${notice.role} on ${notice.project} for ${notice.user} ended early`,
    lead: self
      ? `${notice.user} ended the access you approved before its time.`
      : `${notice.revokedBy} ended the access of ${notice.user} that you approved, before its time.`,
    rows,
    button: {label: 'View the request', link: context.link},
    footer: `Grant ${notice.grantId}, request ${notice.requestId}. JIT Access sent this mail automatically.`,
  });
}

/**
 * The Google Chat messages of a request (docs/chat.md), in the Chat API's
 * card format (cardsV2): who asks for what, for how long and why, the
 * approvals so far and when it expires, with **Approve**, **Deny…** and
 * **Open** while it waits (**Retry** for Approve when its activation
 * failed), and its outcome with only **Open** once it is decided. Pure: the
 * same request at the same moment gives the same card.
 *
 * Chat reads the text of a card as a small subset of HTML, so every value
 * a person wrote (the justification, a reason, a role's condition) is
 * escaped: `&`, `<` and `>` become entities, and line breaks `<br>`, so
 * that none of it can become markup, a link or a mention.
 */
import type {AccessRequest} from '../approvals/types';
import {FINAL_STATES} from '../approvals/types';
import {effectiveState} from '../approvals/transition';
import {replaceUnsafeCharacters} from '../limits';
import {formatTime} from '../notifications/templates';
import type {ChatMessage} from '../ports';

/** The card's action functions, as a click names them back to us. */
export const CHAT_ACTION = {
  approve: 'approve',
  deny: 'deny',
  submitDeny: 'submitDeny',
} as const;

/** The parameter every action carries. */
export const REQUEST_ID_PARAMETER = 'requestId';

/** The dialog's text input for a denial's reason. */
export const REASON_INPUT = 'reason';

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/** Text for a card: escaped as Chat's card format requires, lines kept. */
export function chatText(value: string): string {
  return value
    .split(LINE_BREAK)
    .map(line =>
      replaceUnsafeCharacters(line)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;'),
    )
    .join('<br>');
}

/** Plain text (a notification's preview): one line, no controls. */
function plainLine(value: string): string {
  return replaceUnsafeCharacters(value.split(LINE_BREAK).join(' ')).slice(
    0,
    200,
  );
}

function row(label: string, text: string, wrap = false) {
  return {decoratedText: {topLabel: label, text, wrapText: wrap}};
}

function action(fn: string, id: string, dialog = false) {
  return {
    action: {
      function: fn,
      parameters: [{key: REQUEST_ID_PARAMETER, value: id}],
      ...(dialog ? {interaction: 'OPEN_DIALOG'} : {}),
    },
  };
}

function minutes(n: number): string {
  if (n % 60 === 0) {
    const h = n / 60;
    return `${h} hour${h === 1 ? '' : 's'}`;
  }
  return `${n} minute${n === 1 ? '' : 's'}`;
}

/** What the request came to, in one line of card text (escaped). */
function outcome(r: AccessRequest, state: string, tz: string): string {
  switch (state) {
    case 'ACTIVE':
      return `<b>Approved</b>: active until ${chatText(formatTime(r.activation!.end, tz))}`;
    case 'APPROVED':
      return '<b>Approved</b>: activating';
    case 'DENIED':
      return `<b>Denied</b> by ${chatText(r.decidedBy ?? '')}${r.reason ? `: ${chatText(r.reason)}` : ''}`;
    case 'WITHDRAWN':
      return '<b>Withdrawn</b> by the requester';
    case 'EXPIRED':
      return '<b>Expired</b> without enough approvals';
    case 'FAILED':
      return `<b>Approved, but the activation failed</b>${r.error ? `: ${chatText(r.error)}` : ''}`;
    default:
      return '<b>Waiting for approval</b>';
  }
}

export interface CardContext {
  /** The request's page (the web UI), or undefined when no base URL is known. */
  link?: string;
  /** NOTIFICATION_TIMEZONE. */
  timezone: string;
  now: Date;
}

/** Whether the request can no longer change as a card shows it. */
export function isSettled(r: AccessRequest, now: Date): boolean {
  return FINAL_STATES.has(effectiveState(r, now));
}

/** The message of a request's card, as it should read now. */
export function requestCard(r: AccessRequest, ctx: CardContext): ChatMessage {
  const state = effectiveState(r, ctx.now);
  const tz = ctx.timezone;
  const role = r.resourceCondition
    ? `${chatText(r.role)}<br>(condition: ${chatText(r.resourceCondition)})`
    : chatText(r.role);
  const approvals =
    r.approvals.length === 0
      ? `0 of ${r.requiredApprovals}`
      : `${r.approvals.length} of ${r.requiredApprovals}: ${r.approvals
          .map(a => chatText(a.reviewer))
          .join(', ')}`;
  const details = [
    row('Requester', chatText(r.requester)),
    row('Role', role, true),
    row('Project', chatText(r.project)),
    row('Duration', minutes(r.durationMinutes)),
    row('Justification', chatText(r.justification), true),
    row('Approvals', approvals, true),
    row('Status', outcome(r, state, tz), true),
  ];
  if (state === 'PENDING') {
    details.push(row('Expires', chatText(formatTime(r.expiresAt, tz))));
  }
  const link = ctx.link
    ? [{text: 'Open', onClick: {openLink: {url: ctx.link}}}]
    : [];
  // A failed activation is not final: an approval retries it, a denial
  // closes the request (docs/design.md §2.1).
  const open = state === 'PENDING' || state === 'FAILED';
  const buttons = open
    ? [
        {
          text: state === 'FAILED' ? 'Retry' : 'Approve',
          onClick: action(CHAT_ACTION.approve, r.id),
        },
        {text: 'Deny…', onClick: action(CHAT_ACTION.deny, r.id, true)},
        ...link,
      ]
    : link;
  return {
    fallbackText: plainLine(
      `${r.requester} requests ${r.role} on ${r.project}`,
    ),
    cardsV2: [
      {
        cardId: `request-${r.id}`,
        card: {
          header: {
            title: 'Access request',
            subtitle: plainLine(`${r.requester} on ${r.project}`),
          },
          sections: [
            {widgets: details},
            ...(buttons.length > 0
              ? [{widgets: [{buttonList: {buttons}}]}]
              : []),
          ],
        },
      },
    ],
  };
}

/** The dialog that asks a reviewer why they deny a request. */
export function denyDialog(r: AccessRequest): unknown {
  return {
    sections: [
      {
        widgets: [
          {
            textParagraph: {
              text: `Deny the request of ${chatText(r.requester)} for ${chatText(r.role)} on ${chatText(r.project)}?`,
            },
          },
          {
            textInput: {
              name: REASON_INPUT,
              label: 'Reason',
              type: 'MULTIPLE_LINE',
            },
          },
          {
            buttonList: {
              buttons: [
                {text: 'Deny', onClick: action(CHAT_ACTION.submitDeny, r.id)},
              ],
            },
          },
        ],
      },
    ],
  };
}

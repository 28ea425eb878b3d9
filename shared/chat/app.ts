/**
 * The Google Chat app (docs/chat.md): what the `chat` target does with each
 * event Chat sends once its token is verified. A click on **Approve** is an
 * approval by the clicking person's email through the approvals service,
 * with every rule of the web (reviewer check, eligibility re-check, N-of-M,
 * no self-approval) and `channel: chat` in its audit event; **Deny…** opens
 * a dialog for the reason, whose submission is the denial. The card answers
 * with the request as it now reads: a second click (Chat retries) or a
 * request decided elsewhere shows the outcome, never an error. Refusals are
 * said privately to the person who clicked.
 *
 * Every event also tells who the person is in Chat (`users/<id>`): kept, so
 * that their cards can reach them as direct messages.
 */
import type {AccessRequest} from '../approvals/types';
import type {ApprovalService} from '../approvals/service';
import {AppError} from '../errors';
import {REQUEST_ID_PATTERN} from '../limits';
import type {Logger} from '../log';
import {requestLink} from '../notifications/public-url';
import type {ChatUserDirectory} from '../ports';
import {
  CHAT_ACTION,
  denyDialog,
  REASON_INPUT,
  REQUEST_ID_PARAMETER,
  requestCard,
} from './cards';

/** The fields of a Chat event this app reads; Chat sends many more. */
export interface ChatEvent {
  type?: string;
  user?: {name?: string; email?: string; type?: string; displayName?: string};
  space?: {name?: string; type?: string; spaceType?: string};
  message?: {name?: string};
  isDialogEvent?: boolean;
  dialogEventType?: string;
  common?: {
    invokedFunction?: string;
    parameters?: Record<string, string>;
    formInputs?: Record<string, {stringInputs?: {value?: string[]}}>;
  };
  action?: {
    actionMethodName?: string;
    parameters?: Array<{key?: string; value?: string}>;
  };
}

export interface ChatAppDeps {
  approvals: () => Promise<ApprovalService>;
  users?: ChatUserDirectory;
  baseUrl: () => Promise<string | undefined>;
  timezone: string;
  log: Logger;
  now?: () => Date;
}

export interface ChatApp {
  /** The synchronous answer to one event, in Chat's response format. */
  handle(event: ChatEvent): Promise<unknown>;
}

const HELP =
  'I post requests for just-in-time access for review, with buttons to approve or deny them. Open the web page to request access.';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The event, read defensively: anything of the wrong type is left out. */
export function readChatEvent(body: unknown): ChatEvent {
  if (!isObject(body)) return {};
  return body as ChatEvent;
}

function parameterOf(event: ChatEvent, key: string): string | undefined {
  const common = event.common?.parameters;
  if (isObject(common) && typeof common[key] === 'string') return common[key];
  const list = event.action?.parameters;
  if (!Array.isArray(list)) return undefined;
  const found = list.find(p => isObject(p) && p.key === key);
  return typeof found?.value === 'string' ? found.value : undefined;
}

function functionOf(event: ChatEvent): string | undefined {
  const fn = event.common?.invokedFunction ?? event.action?.actionMethodName;
  return typeof fn === 'string' ? fn : undefined;
}

function reasonOf(event: ChatEvent): string {
  const value = event.common?.formInputs?.[REASON_INPUT]?.stringInputs?.value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

/** A message only the clicking person sees. */
function privately(event: ChatEvent, text: string): unknown {
  const viewer = event.user?.name;
  return {
    actionResponse: {type: 'NEW_MESSAGE'},
    text,
    ...(typeof viewer === 'string'
      ? {privateMessageViewer: {name: viewer}}
      : {}),
  };
}

/** Closes a dialog with a message, or keeps it open with an error. */
function dialogStatus(statusCode: string, userFacingMessage: string): unknown {
  return {
    actionResponse: {
      type: 'DIALOG',
      dialogAction: {actionStatus: {statusCode, userFacingMessage}},
    },
  };
}

/** Chat's status name for a refusal shown in a dialog. */
function dialogCode(e: AppError): string {
  switch (e.httpStatus) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    default:
      return 'UNAVAILABLE';
  }
}

export function makeChatApp(deps: ChatAppDeps): ChatApp {
  const {log} = deps;
  const now = deps.now ?? (() => new Date());

  async function updatedCard(r: AccessRequest): Promise<unknown> {
    const base = await deps.baseUrl();
    return {
      actionResponse: {type: 'UPDATE_MESSAGE'},
      ...requestCard(r, {
        link: base ? requestLink(base, r.id) : undefined,
        timezone: deps.timezone,
        now: now(),
      }),
    };
  }

  /** Keeps who this person is in Chat; a failure only costs their DMs. */
  async function remember(event: ChatEvent): Promise<void> {
    const {email, name, type} = event.user ?? {};
    if (!deps.users || type !== 'HUMAN') return;
    if (typeof email !== 'string' || typeof name !== 'string') return;
    try {
      await deps.users.put(email.toLowerCase(), name);
    } catch (e) {
      log.warn(
        'Could not keep the Chat user name',
        {event: 'chat.userNotKept'},
        {error: e},
      );
    }
  }

  /**
   * Runs a decision; a 409 (already approved by you, decided elsewhere)
   * answers the card as the request now reads, anything else refused is
   * said privately.
   */
  async function decide(
    approvals: ApprovalService,
    event: ChatEvent,
    email: string,
    id: string,
    run: () => Promise<AccessRequest>,
  ): Promise<unknown> {
    try {
      return await updatedCard(await run());
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      if (e.httpStatus === 409) {
        try {
          return await updatedCard(await approvals.get(email, id));
        } catch {
          // Fall through to the refusal's own words.
        }
      }
      return privately(event, e.message);
    }
  }

  async function deniedBy(
    approvals: ApprovalService,
    user: string,
    id: string,
  ): Promise<boolean> {
    try {
      const r = await approvals.get(user, id);
      return r.state === 'DENIED' && r.decidedBy === user;
    } catch {
      return false;
    }
  }

  async function click(event: ChatEvent): Promise<unknown> {
    const email = event.user?.email;
    if (event.user?.type !== 'HUMAN' || typeof email !== 'string') {
      return privately(event, 'Only a person can approve or deny a request.');
    }
    const user = email.toLowerCase();
    const fn = functionOf(event);
    const id = parameterOf(event, REQUEST_ID_PARAMETER);
    if (!id || !REQUEST_ID_PATTERN.test(id)) {
      return privately(event, 'This card does not name a request.');
    }
    const approvals = await deps.approvals();
    if (event.dialogEventType === 'CANCEL_DIALOG') {
      return dialogStatus('OK', 'Nothing was done.');
    }
    switch (fn) {
      case CHAT_ACTION.approve:
        return decide(approvals, event, user, id, () =>
          approvals.approve(user, id, undefined, 'chat'),
        );
      case CHAT_ACTION.deny:
        try {
          const r = await approvals.get(user, id);
          // Decided (a stale card): the card as it now reads.
          if (r.state !== 'PENDING' && r.state !== 'FAILED') {
            return await updatedCard(r);
          }
          return {
            actionResponse: {
              type: 'DIALOG',
              dialogAction: {dialog: {body: denyDialog(r)}},
            },
          };
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          return privately(event, e.message);
        }
      case CHAT_ACTION.submitDeny:
        try {
          await approvals.deny(user, id, reasonOf(event), 'chat');
          return dialogStatus('OK', 'The request is denied.');
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          // Chat retried a denial that went through: the same answer again.
          if (e.httpStatus === 409 && (await deniedBy(approvals, user, id))) {
            return dialogStatus('OK', 'The request is denied.');
          }
          return dialogStatus(dialogCode(e), e.message);
        }
      default:
        return privately(event, 'This button is not one this app knows.');
    }
  }

  async function answer(event: ChatEvent): Promise<unknown> {
    switch (event.type) {
      case 'CARD_CLICKED':
        return click(event);
      case 'ADDED_TO_SPACE':
        return {
          text:
            event.space?.type === 'DM' ||
            event.space?.spaceType === 'DIRECT_MESSAGE'
              ? 'Requests you are asked to review will come here.'
              : 'Requests for access will be posted here for review.',
        };
      case 'MESSAGE':
        return {text: HELP};
      default:
        // REMOVED_FROM_SPACE and anything newer: nothing to say.
        return {};
    }
  }

  return {
    async handle(event) {
      // Beside the answer, not before it: Chat waits for the answer.
      const kept = remember(event);
      try {
        return await answer(event);
      } finally {
        await kept;
      }
    },
  };
}

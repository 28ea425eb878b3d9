/**
 * ChatCards over the Chat API (docs/chat.md): a request's card goes to
 * CHAT_SPACE, and with CHAT_DIRECT_MESSAGES to each reviewer the app can
 * reach (one who has talked to it, so that Chat's user name is known, and
 * whose direct message with the app Chat finds); every later change of the
 * request updates every card it has. Never throws: what failed is logged
 * as `chat.failed` and said in the status, as a mail failure is.
 */
import {createHash} from 'crypto';
import type {AccessRequest, ChatStatus} from '../approvals/types';
import type {ChatConfig} from '../config';
import {AppError} from '../errors';
import type {Logger} from '../log';
import {requestLink} from '../notifications/public-url';
import type {ChatApi, ChatCards, ChatUserDirectory} from '../ports';
import {isSettled, requestCard} from './cards';

export interface ChatCardsDeps {
  chat: Pick<ChatConfig, 'space' | 'directMessages'>;
  api: ChatApi;
  /** Needed for direct messages only. */
  users?: ChatUserDirectory;
  baseUrl: () => Promise<string | undefined>;
  timezone: string;
  log: Logger;
  now?: () => Date;
}

/** A failure's words, safe to store and show. */
function reasonOf(e: unknown): string {
  return e instanceof AppError ? e.message : 'unexpected error';
}

/**
 * Chat's idempotency key of one card: the same post retried returns the
 * message it created, and a reminder (a new `lastRemindedAt`) makes another.
 */
function postKey(r: AccessRequest, space: string): string {
  const digest = createHash('sha256')
    .update(`${r.id}\n${space}\n${r.lastRemindedAt ?? r.createdAt}`)
    .digest('base64url')
    .slice(0, 32);
  return `jit-${digest}`;
}

export function makeChatCards(deps: ChatCardsDeps): ChatCards {
  const {chat, api, users, log} = deps;
  const now = deps.now ?? (() => new Date());

  async function card(r: AccessRequest) {
    const base = await deps.baseUrl();
    return requestCard(r, {
      link: base ? requestLink(base, r.id) : undefined,
      timezone: deps.timezone,
      now: now(),
    });
  }

  /** The direct message with a reviewer, or why there is none. */
  async function directMessage(
    reviewer: string,
  ): Promise<{space: string} | {problem: string}> {
    const user = await users?.get(reviewer);
    if (!user) {
      return {problem: `${reviewer} has not talked to the Chat app yet`};
    }
    const space = await api.findDirectMessage(user);
    return space
      ? {space}
      : {problem: `${reviewer} has no direct message with the Chat app`};
  }

  function status(
    r: AccessRequest,
    messages: string[],
    problems: string[],
  ): ChatStatus {
    const error = problems.join('; ').slice(0, 500);
    if (problems.length > 0) {
      log.warn(
        `Google Chat: ${error}`,
        {event: 'chat.failed', requestId: r.id, project: r.project},
        {problems},
      );
    }
    return {
      delivered: problems.length === 0 && messages.length > 0,
      ...(problems.length > 0 ? {error} : {}),
      messages,
      // Settled and shown so everywhere: nothing will update these cards again.
      ...(problems.length === 0 && isSettled(r, now()) ? {final: true} : {}),
    };
  }

  return {
    async post(r) {
      const messages = [...(r.chat?.messages ?? [])];
      const problems: string[] = [];
      try {
        const message = await card(r);
        const spaces: string[] = chat.space ? [chat.space] : [];
        if (chat.directMessages) {
          const found = await Promise.all(
            r.reviewers.map(async reviewer => {
              try {
                return await directMessage(reviewer);
              } catch (e) {
                return {problem: `${reviewer}: ${reasonOf(e)}`};
              }
            }),
          );
          for (const f of found) {
            if ('space' in f) spaces.push(f.space);
            else problems.push(f.problem);
          }
        }
        const posted = await Promise.all(
          spaces.map(async space => {
            try {
              return await api.createMessage(space, message, postKey(r, space));
            } catch (e) {
              problems.push(`${space}: ${reasonOf(e)}`);
              return undefined;
            }
          }),
        );
        const added = posted.filter((m): m is string => m !== undefined);
        messages.push(...added);
        if (added.length > 0) {
          log.info(
            `Google Chat: ${added.length} card${added.length === 1 ? '' : 's'} posted`,
            {event: 'chat.posted', requestId: r.id, project: r.project},
            {messages: added},
          );
        }
      } catch (e) {
        problems.push(reasonOf(e));
      }
      return status(r, messages, problems);
    },

    async update(r) {
      const messages = r.chat?.messages ?? [];
      const problems: string[] = [];
      try {
        const message = await card(r);
        await Promise.all(
          messages.map(async name => {
            try {
              await api.updateMessage(name, message);
            } catch (e) {
              problems.push(`${name}: ${reasonOf(e)}`);
            }
          }),
        );
      } catch (e) {
        problems.push(reasonOf(e));
      }
      return status(r, messages, problems);
    },
  };
}

/**
 * ChatApi over the Chat API's REST methods, as the Chat app (app
 * authentication: the service account's token with the `chat.bot` scope),
 * aimed at CHAT_ENDPOINT, through the edge like every other Google call.
 * Reference: https://developers.google.com/workspace/chat/api/reference/rest
 * (spaces.messages.create, spaces.messages.patch, spaces.findDirectMessage).
 */
import type {Config} from '../config';
import {NotFoundError} from '../errors';
import type {Logger} from '../log';
import type {ChatApi, ChatMessage} from '../ports';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

const DEFAULT_ENDPOINT = 'https://chat.googleapis.com';
export const CHAT_BOT_SCOPE = 'https://www.googleapis.com/auth/chat.bot';

/**
 * Cards are posted before the user gets an answer, as mail is: the edge's
 * retries get as little time as an event's.
 */
const CHAT_DEADLINE_MS = 10_000;

/** `spaces/a/messages/b` with each segment encoded, for a URL path. */
function pathOf(name: string): string {
  return name
    .split('/')
    .map(s => encodeURIComponent(s))
    .join('/');
}

export function makeChatApi(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): ChatApi {
  const endpoint = config.endpoints.chat ?? DEFAULT_ENDPOINT;
  const policy = retryPolicy({
    ...options,
    retry: {deadlineMs: CHAT_DEADLINE_MS, ...options?.retry},
  });
  const send = <T>(
    site: {method: string; resource: string},
    request: {url: string; method: 'GET' | 'POST' | 'PATCH'; data?: unknown},
  ) =>
    callGoogleJson<T>(site, log, policy, {
      endpoint: config.endpoints.chat,
      scope: CHAT_BOT_SCOPE,
      ...request,
    });

  return {
    async createMessage(space, message: ChatMessage, requestId) {
      const query = new URLSearchParams({requestId});
      const created = await send<{name?: string}>(
        {method: 'chat.spaces.messages.create', resource: `space ${space}`},
        {
          url: `${endpoint}/v1/${pathOf(space)}/messages?${query}`,
          method: 'POST',
          data: message,
        },
      );
      if (typeof created.name !== 'string' || created.name === '') {
        throw new Error('Google Chat answered a message without a name');
      }
      return created.name;
    },

    async updateMessage(name, message) {
      const query = new URLSearchParams({updateMask: 'text,cardsV2'});
      await send(
        {method: 'chat.spaces.messages.patch', resource: `message ${name}`},
        {
          url: `${endpoint}/v1/${pathOf(name)}?${query}`,
          method: 'PATCH',
          data: {text: message.text ?? '', cardsV2: message.cardsV2 ?? []},
        },
      );
    },

    async findDirectMessage(user) {
      const query = new URLSearchParams({name: user});
      try {
        const space = await send<{name?: string}>(
          {
            method: 'chat.spaces.findDirectMessage',
            resource: `direct message with ${user}`,
          },
          {
            url: `${endpoint}/v1/spaces:findDirectMessage?${query}`,
            method: 'GET',
          },
        );
        return typeof space.name === 'string' ? space.name : undefined;
      } catch (e) {
        // No direct message between the app and this user (yet).
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    },
  };
}

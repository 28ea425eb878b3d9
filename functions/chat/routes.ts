/**
 * The `chat` target (docs/chat.md): `POST /chat`, the HTTP endpoint of the
 * Google Chat app. It sits behind no IAP (Chat calls it, not a browser):
 * the target's verifier checks Chat's bearer token on every call before
 * this handler runs (shared/chat/verifier.ts), and the acting person is
 * the event's user, whom only a verified Chat can name.
 */
import {readChatEvent} from '../../shared/chat/app';
import {type Route} from '../../shared/http';
import type {Services} from '../services';

export function makeChatRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      path: '/chat',
      bearerOnly: true,
      async handle({body}) {
        if (!services.chat) throw new Error('Google Chat is not wired');
        const app = await services.chat.app();
        return {body: await app.handle(readChatEvent(body))};
      },
    },
  ];
}

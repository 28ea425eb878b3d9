/**
 * One step that the approvals service and reconciliation share: post a
 * request's Chat card, or bring its cards up to date, and record where they
 * are on the request, as a mail's outcome is recorded. Never fails the
 * caller. Loads nothing of Chat itself: the cards come in as a port.
 */
import type {Logger} from '../log';
import type {ChatCards, RequestStore} from '../ports';
import type {AccessRequest} from './types';

/**
 * `post`: a new card (a new request, a reminder); otherwise the request's
 * cards are updated, if it has any. Answers the request with its `chat`.
 */
export async function showOnChat(
  deps: {chat: ChatCards; store: Pick<RequestStore, 'setChat'>; log: Logger},
  request: AccessRequest,
  post: boolean,
): Promise<AccessRequest> {
  if (!post && !request.chat?.messages.length) return request;
  const status = await (post
    ? deps.chat.post(request)
    : deps.chat.update(request));
  try {
    await deps.store.setChat(request.id, status);
  } catch (e) {
    deps.log.warn(
      'Could not record the Chat outcome',
      {event: 'chat.recordFailed', requestId: request.id},
      {error: e},
    );
  }
  return {...request, chat: status};
}

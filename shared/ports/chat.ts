/**
 * What the Google Chat app needs of Chat (shared/google/chat.ts speaks the
 * Chat API with app authentication) and of its own memory of Chat's users
 * (shared/google/chat-users.ts keeps it in Firestore). Messages are in the
 * Chat API's own shape (`text`, `cardsV2`), as shared/chat/cards.ts builds
 * them.
 */
import type {AccessRequest, ChatStatus} from '../approvals/types';

/** A Chat message as this product sends it. */
export interface ChatMessage {
  text?: string;
  fallbackText?: string;
  cardsV2?: unknown[];
}

export interface ChatApi {
  /**
   * spaces.messages.create; resolves with the message's name. `requestId`
   * makes a retried call return the message it created before.
   */
  createMessage(
    space: string,
    message: ChatMessage,
    requestId: string,
  ): Promise<string>;
  /** spaces.messages.patch of the text and the cards. */
  updateMessage(name: string, message: ChatMessage): Promise<void>;
  /**
   * spaces.findDirectMessage: the direct message space between the app and
   * `user` (`users/<id>`), or undefined when there is none (404).
   */
  findDirectMessage(user: string): Promise<string | undefined>;
}

/**
 * Chat's user name (`users/<id>`) of each person who has talked to the app:
 * the Chat API finds a direct message by that name only, never by email,
 * when it is called as the app.
 */
export interface ChatUserDirectory {
  get(email: string): Promise<string | undefined>;
  put(email: string, user: string): Promise<void>;
}

/**
 * A request's cards in Google Chat (shared/chat/notifier.ts). Never throws:
 * a card that could not be posted or updated is logged and reported in the
 * status, as a mail that could not be sent is, so that Chat can never fail
 * or undo a request.
 */
export interface ChatCards {
  /** Posts a new card (a new request, a reminder); keeps the older ones. */
  post(request: AccessRequest): Promise<ChatStatus>;
  /** Brings every card of the request up to date with it. */
  update(request: AccessRequest): Promise<ChatStatus>;
}

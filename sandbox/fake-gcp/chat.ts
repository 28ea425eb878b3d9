/**
 * The Google Chat API methods the Chat app calls, as the app (app
 * authentication): messages are kept in `world.chat.messages` for tests and
 * `/sandbox/chat` to read.
 *
 * References (https://developers.google.com/workspace/chat/api/reference/rest/v1/):
 * - `spaces.messages.create`: POST /v1/{parent=spaces/*}/messages, body a
 *   Message, `requestId` makes a repeated call answer the message it
 *   created; a message needs text or cards; an unknown space is 404.
 * - `spaces.messages.patch`: PATCH /v1/{message.name=spaces/* /messages/*}
 *   with `updateMask` (required; `text`, `cardsV2`, …); unknown is 404.
 * - `spaces.findDirectMessage`: GET /v1/spaces:findDirectMessage?name=users/{user};
 *   404 when the app has no direct message with that person. Called as the
 *   app, Google documents `{user}` as the person's id only (the email alias
 *   is for user authentication): the fake answers 404 to an email.
 */
import type {
  FakeGoogleCloud,
  FakeRequest,
  FakeResponse,
  FakeRoute,
} from './server';
import {googleError} from './server';
import type {WorldChatMessage} from './world';

let nextId = 1;

function chatOf(fake: FakeGoogleCloud) {
  const chat = (fake.world.chat ??= {});
  chat.spaces ??= {};
  chat.messages ??= [];
  return chat as Required<NonNullable<typeof fake.world.chat>>;
}

function messageBody(body: unknown): Partial<WorldChatMessage> | string {
  if (typeof body !== 'object' || body === null)
    return 'The body is not a Message.';
  const m = body as Record<string, unknown>;
  const text = typeof m.text === 'string' ? m.text : undefined;
  const cards = Array.isArray(m.cardsV2) ? m.cardsV2 : undefined;
  for (const c of cards ?? []) {
    const card = c as Record<string, unknown> | null;
    if (typeof card?.cardId !== 'string' || typeof card.card !== 'object') {
      return 'Invalid cardsV2: every card needs a cardId and a card.';
    }
  }
  return {
    ...(text !== undefined ? {text} : {}),
    ...(typeof m.fallbackText === 'string'
      ? {fallbackText: m.fallbackText}
      : {}),
    ...(cards !== undefined ? {cardsV2: cards} : {}),
  };
}

function create(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const space = `spaces/${decodeURIComponent(req.params[0]!)}`;
  const chat = chatOf(fake);
  if (!chat.spaces[space]) {
    return googleError(404, 'Requested entity was not found.');
  }
  const requestId = req.query.get('requestId') ?? undefined;
  if (requestId) {
    const earlier = chat.messages.find(
      m => m.requestId === requestId && m.name.startsWith(`${space}/`),
    );
    if (earlier) return {status: 200, body: earlier};
  }
  const body = messageBody(req.body);
  if (typeof body === 'string') return googleError(400, body);
  if (!body.text && !(body.cardsV2 && body.cardsV2.length > 0)) {
    return googleError(400, 'Message cannot be empty.');
  }
  const message: WorldChatMessage = {
    name: `${space}/messages/fake${nextId++}`,
    ...body,
    ...(requestId ? {requestId} : {}),
    createTime: new Date().toISOString(),
  };
  chat.messages.push(message);
  return {status: 200, body: message};
}

function patch(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const name = `spaces/${decodeURIComponent(req.params[0]!)}/messages/${decodeURIComponent(req.params[1]!)}`;
  const mask = (req.query.get('updateMask') ?? '')
    .split(',')
    .map(f => f.trim())
    .filter(Boolean);
  if (mask.length === 0) return googleError(400, 'updateMask is required.');
  const unknown = mask.find(f => !['text', 'cardsV2', 'cards_v2'].includes(f));
  if (unknown) return googleError(400, `Invalid update mask path: ${unknown}`);
  const message = chatOf(fake).messages.find(m => m.name === name);
  if (!message) return googleError(404, 'Requested entity was not found.');
  const body = messageBody(req.body);
  if (typeof body === 'string') return googleError(400, body);
  if (mask.includes('text')) {
    if (body.text) message.text = body.text;
    else delete message.text;
  }
  if (mask.includes('cardsV2') || mask.includes('cards_v2')) {
    message.cardsV2 = body.cardsV2 ?? [];
  }
  message.lastUpdateTime = new Date().toISOString();
  return {status: 200, body: message};
}

function findDirectMessage(
  req: FakeRequest,
  fake: FakeGoogleCloud,
): FakeResponse {
  const user = req.query.get('name') ?? '';
  if (!/^users\/[^/]+$/.test(user)) {
    return googleError(400, 'Invalid resource name: expected users/{user}.');
  }
  const found = Object.entries(chatOf(fake).spaces).find(
    ([, s]) => s.spaceType === 'DIRECT_MESSAGE' && s.user === user,
  );
  if (!found) return googleError(404, 'Requested entity was not found.');
  const [name, space] = found;
  return {
    status: 200,
    body: {
      name,
      spaceType: 'DIRECT_MESSAGE',
      singleUserBotDm: true,
      ...(space.displayName ? {displayName: space.displayName} : {}),
    },
  };
}

export const chatRoutes: FakeRoute[] = [
  {
    name: 'chat.spaces.findDirectMessage',
    method: 'GET',
    pattern: /^\/v1\/spaces:findDirectMessage$/,
    handle: findDirectMessage,
  },
  {
    name: 'chat.spaces.messages.create',
    method: 'POST',
    pattern: /^\/v1\/spaces\/([^/:]+)\/messages$/,
    handle: create,
  },
  {
    name: 'chat.spaces.messages.patch',
    method: 'PATCH',
    pattern: /^\/v1\/spaces\/([^/:]+)\/messages\/([^/:]+)$/,
    handle: patch,
  },
];

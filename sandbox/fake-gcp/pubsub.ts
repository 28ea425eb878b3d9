/**
 * Pub/Sub v1 `projects.topics.publish`: the messages are kept in
 * `world.topics[<topic>]`, in order, for tests and `/sandbox/events` to read.
 *
 * Reference: https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish
 * (`{messages: [{data?, attributes?, orderingKey?}]}` → `{messageIds}`; a
 * message with neither data nor attributes, or data that is not base64, is
 * 400; an unknown topic 404, naming it as Pub/Sub does).
 */
import {permissionDenied} from './iam';
import type {
  FakeGoogleCloud,
  FakeRequest,
  FakeResponse,
  FakeRoute,
} from './server';
import {googleError} from './server';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

let nextId = 1;

function publish(req: FakeRequest, fake: FakeGoogleCloud): FakeResponse {
  const [project, topic] = req.params.map(decodeURIComponent) as [
    string,
    string,
  ];
  const name = `projects/${project}/topics/${topic}`;
  if (fake.world.deniedPermissions?.includes('pubsub.topics.publish')) {
    return permissionDenied(
      'pubsub.topics.publish',
      name,
      'pubsub.googleapis.com',
    );
  }
  const kept = fake.world.topics?.[name];
  if (!kept) {
    return googleError(404, `Resource not found (resource=${topic}).`);
  }
  const body = req.body as {messages?: unknown} | undefined;
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  if (messages.length === 0) {
    return googleError(400, 'No messages were provided.');
  }
  const accepted = [];
  for (const m of messages as Array<Record<string, unknown>>) {
    const data = typeof m?.data === 'string' ? m.data : undefined;
    const attributes =
      typeof m?.attributes === 'object' && m.attributes !== null
        ? (m.attributes as Record<string, string>)
        : undefined;
    if (!data && !attributes) {
      return googleError(
        400,
        'Some messages are empty. Each message must contain non-empty data, or at least one attribute.',
      );
    }
    if (data !== undefined && (!BASE64.test(data) || data.length % 4 !== 0)) {
      return googleError(400, 'Invalid data in message: not base64.');
    }
    accepted.push({
      messageId: String(nextId++),
      ...(data !== undefined ? {data} : {}),
      ...(attributes ? {attributes} : {}),
      publishTime: new Date().toISOString(),
    });
  }
  kept.push(...accepted);
  return {status: 200, body: {messageIds: accepted.map(m => m.messageId)}};
}

export const pubsubRoutes: FakeRoute[] = [
  {
    name: 'pubsub.projects.topics.publish',
    method: 'POST',
    pattern: /^\/v1\/projects\/([^/]+)\/topics\/([^/:]+):publish$/,
    handle: publish,
  },
];

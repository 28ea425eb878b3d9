/**
 * EventPublisher on Pub/Sub: v1 `topics.publish` over REST with a plain
 * google-auth-library request, aimed at `config.endpoints.pubsub` (a gRPC
 * client would load google-gax at cold start for one call), through the
 * edge like every other Google call. One message per event; its data is the
 * UTF-8 of the event's text (shared/events/), without Pub/Sub attributes, as
 * upstream publishes it.
 * Reference: https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish
 */
import type {EventStatus} from '../approvals/types';
import type {Config} from '../config';
import {AppError, UnavailableError} from '../errors';
import {buildEvent, eventText, type JitEvent} from '../events/events';
import type {Logger} from '../log';
import type {EventPublisher} from '../ports';
import {callGoogleJson, retryPolicy, type AdapterOptions} from './edge';

const DEFAULT_ENDPOINT = 'https://pubsub.googleapis.com';

/**
 * The user waits for the event (it is published before the answer), so the
 * edge's retries get less time than elsewhere; a test may shorten it more.
 */
const EVENT_DEADLINE_MS = 10_000;

export interface PubSubEventOptions extends AdapterOptions {
  /** The app's base URL, for the events' links (shared/notifications/public-url.ts). */
  baseUrl: () => Promise<string | undefined>;
}

/** Publishes one message to `topic`; resolves with its id. Throws project errors. */
export function makeTopicPublisher(
  config: Config,
  log: Logger,
  options?: AdapterOptions,
): (topic: string, data: string) => Promise<string> {
  const endpoint = config.endpoints.pubsub ?? DEFAULT_ENDPOINT;
  const policy = retryPolicy({
    ...options,
    retry: {deadlineMs: EVENT_DEADLINE_MS, ...options?.retry},
  });
  return async (topic, data) => {
    const path = topic
      .split('/')
      .map(s => encodeURIComponent(s))
      .join('/');
    const {messageIds: ids = []} = await callGoogleJson<{
      messageIds?: string[];
    }>(
      {
        method: 'pubsub.projects.topics.publish',
        permission: 'pubsub.topics.publish',
        resource: `topic ${topic}`,
      },
      log,
      policy,
      {
        endpoint: config.endpoints.pubsub,
        url: `${endpoint}/v1/${path}:publish`,
        method: 'POST',
        data: {
          messages: [{data: Buffer.from(data, 'utf8').toString('base64')}],
        },
      },
    );
    // As upstream: an answer without a message id is a failure.
    if (ids.length < 1) {
      throw new UnavailableError(`Pub/Sub returned no message id for ${topic}`);
    }
    return ids[0]!;
  };
}

/** Builds the publisher of NOTIFICATION_TOPIC; throws if none is configured. */
export function makePubSubEventPublisher(
  config: Config,
  log: Logger,
  options: PubSubEventOptions,
): EventPublisher {
  const topic = config.notificationTopic;
  if (!topic) throw new Error('NOTIFICATION_TOPIC is not set');
  const publish = makeTopicPublisher(config, log, options);
  return {
    async publish(type, facts): Promise<EventStatus> {
      let event: JitEvent | undefined;
      const labels = {
        event: `notification.${type}`,
        requestId: facts.requestId,
        grantId: facts.grantId,
        project: facts.project,
      };
      try {
        event = buildEvent(type, facts, {baseUrl: await options.baseUrl()});
        const id = await publish(topic, eventText(event));
        log.info(`Event published: ${type}`, labels, {messageId: id});
        return {published: true};
      } catch (e) {
        const reason = `The event could not be published: ${
          e instanceof AppError ? e.message : 'unexpected error'
        }`.slice(0, 300);
        log.error(
          reason,
          {...labels, event: 'notification.failed'},
          {error: e, topic, notification: event ?? {type, facts}},
        );
        return {published: false, error: reason};
      }
    },
  };
}

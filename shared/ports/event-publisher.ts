import type {EventStatus} from '../approvals/types';
import type {EventFacts, EventType} from '../events/events';

/**
 * Publishes the events of docs/design.md §2.2 to NOTIFICATION_TOPIC
 * (shared/google/pubsub.ts publishes them to Pub/Sub). Never throws: an
 * event that could not be published is logged as `notification.failed` and
 * reported in the status, so that it can never fail or undo the action it
 * tells of.
 */
export interface EventPublisher {
  publish(type: EventType, facts: EventFacts): Promise<EventStatus>;
}

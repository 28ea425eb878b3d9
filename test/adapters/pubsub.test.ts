/**
 * The Pub/Sub event publisher against the fake Google Cloud's
 * `topics.publish`: what it sends, and that a failure is reported, logged and
 * never thrown.
 */
import {
  buildEvent,
  eventText,
  type EventFacts,
} from '../../shared/events/events';
import {makePubSubEventPublisher} from '../../shared/google/pubsub';
import {FAST, useFake} from './fake';
import {testWorld} from './world';

const TOPIC = 'projects/alpha-project/topics/jit-events';
const PUBLISH = 'pubsub.projects.topics.publish';

const t = useFake(() => ({...testWorld(), topics: {[TOPIC]: []}}));

const FACTS: EventFacts = {
  beneficiary: 'alice@example.com',
  project: 'alpha-project',
  roles: ['roles/compute.viewer', 'roles/iap.tunnelResourceAccessor'],
  start: '2040-01-01T10:00:00.000Z',
  end: '2040-01-01T11:00:00.000Z',
  justification: 'case <42> & more',
};

function publisher(topic = TOPIC) {
  return makePubSubEventPublisher(
    {...t.config, notificationTopic: topic},
    t.log,
    {...FAST, baseUrl: async () => 'https://jit.example.com'},
  );
}

function failures() {
  return t.memory
    .entries()
    .filter(
      e =>
        (e['logging.googleapis.com/labels'] as Record<string, string>)
          ?.event === 'notification.failed',
    );
}

beforeEach(() => {
  t.memory.lines.length = 0;
});

describe('Pub/Sub events', () => {
  it('publishes one message whose data is the event as upstream writes it, without attributes', async () => {
    const status = await publisher().publish('ActivationSelfApproved', FACTS);
    expect(status).toEqual({published: true});
    const [call] = t.fake.calls(PUBLISH);
    expect(call?.path).toBe(`/v1/${TOPIC}:publish`);
    const body = call?.body as {messages: Array<Record<string, unknown>>};
    expect(body.messages).toHaveLength(1);
    expect(Object.keys(body.messages[0]!)).toEqual(['data']);
    const text = Buffer.from(
      body.messages[0]!.data as string,
      'base64',
    ).toString('utf8');
    expect(text).toBe(
      eventText(buildEvent('ActivationSelfApproved', FACTS, {})),
    );
    expect(text).toContain('case \\u003c42\\u003e \\u0026 more');
    expect(t.fake.world.topics?.[TOPIC]).toHaveLength(1);
  });

  it('retries a 503 and publishes once', async () => {
    t.fake.failNext(PUBLISH, 503, 2);
    expect(await publisher().publish('ActivationSelfApproved', FACTS)).toEqual({
      published: true,
    });
    expect(t.fake.calls(PUBLISH)).toHaveLength(3);
    expect(t.fake.world.topics?.[TOPIC]).toHaveLength(1);
  });

  it('reports an unknown topic without throwing, and logs notification.failed with the event', async () => {
    const status = await publisher(
      'projects/alpha-project/topics/missing',
    ).publish('ActivationSelfApproved', FACTS);
    expect(status.published).toBe(false);
    expect(status.error).toContain('projects/alpha-project/topics/missing');
    const [failure] = failures();
    expect(failure?.severity).toBe('ERROR');
    expect(failure?.notification).toMatchObject({
      type: 'ActivationSelfApproved',
      attributes: {beneficiary: 'alice@example.com'},
    });
  });

  it('names pubsub.topics.publish when the service account lacks it', async () => {
    t.fake.world.deniedPermissions = ['pubsub.topics.publish'];
    const status = await publisher().publish('ActivationSelfApproved', FACTS);
    expect(status.error).toContain('pubsub.topics.publish');
    expect(failures()).toHaveLength(1);
  });

  it('gives up after the deadline when Pub/Sub stays down', async () => {
    t.fake.failNext(PUBLISH, 503, 100);
    const status = await publisher().publish('ActivationSelfApproved', FACTS);
    expect(status).toMatchObject({published: false});
    expect(t.fake.calls(PUBLISH).length).toBeGreaterThan(1);
    expect(t.fake.world.topics?.[TOPIC]).toHaveLength(0);
  });
});

describe('the fake topics.publish', () => {
  it('refuses an empty message and data that is not base64', async () => {
    for (const [messages, message] of [
      [[], 'No messages'],
      [[{}], 'Some messages are empty'],
      [[{data: 'not base64!'}], 'not base64'],
    ] as const) {
      const res = await fetch(`${t.fake.url}/v1/${TOPIC}:publish`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({messages}),
      });
      expect(res.status).toBe(400);
      expect(
        ((await res.json()) as {error: {message: string}}).error.message,
      ).toContain(message);
    }
    expect(t.fake.world.topics?.[TOPIC]).toEqual([]);
  });

  it('keeps messages with their attributes and answers their ids in order', async () => {
    const res = await fetch(`${t.fake.url}/v1/${TOPIC}:publish`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({
        messages: [{data: 'YQ=='}, {attributes: {k: 'v'}}],
      }),
    });
    const {messageIds} = (await res.json()) as {messageIds: string[]};
    expect(messageIds).toHaveLength(2);
    expect(t.fake.world.topics?.[TOPIC]?.map(m => m.messageId)).toEqual(
      messageIds,
    );
    expect(t.fake.world.topics?.[TOPIC]?.[1]?.attributes).toEqual({k: 'v'});
  });
});

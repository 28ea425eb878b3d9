/** NOTIFICATION_TOPIC, PUBSUB_ENDPOINT and PUBSUB_EMULATOR_HOST. */
import {Env, loadConfig} from '../config';
import {ConfigurationError} from '../errors';

function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

const BASE = {GOOGLE_CLOUD_PROJECT: 'my-project'};

describe('event settings', () => {
  it('publishes nothing without NOTIFICATION_TOPIC', () => {
    const c = loadConfig(BASE);
    expect(c.notificationTopic).toBeUndefined();
    expect(c.endpoints.pubsub).toBeUndefined();
  });

  it('puts a bare topic name in GOOGLE_CLOUD_PROJECT, as upstream does', () => {
    expect(
      loadConfig({...BASE, NOTIFICATION_TOPIC: 'jitaccess-events'})
        .notificationTopic,
    ).toBe('projects/my-project/topics/jitaccess-events');
  });

  it('takes a full topic name in another project as is', () => {
    expect(
      loadConfig({
        ...BASE,
        NOTIFICATION_TOPIC: 'projects/other-project/topics/t.1~x+y%z',
      }).notificationTopic,
    ).toBe('projects/other-project/topics/t.1~x+y%z');
  });

  it.each([
    ['a name Pub/Sub refuses', 'goog-events'],
    ['a name too short', 'ab'],
    ['a subscription, not a topic', 'projects/my-project/subscriptions/s'],
    ['a topic without a project', 'projects//topics/t'],
  ])('refuses %s', (_, topic) => {
    expect(problemsOf({...BASE, NOTIFICATION_TOPIC: topic})).toEqual([
      expect.stringMatching(/^NOTIFICATION_TOPIC=.*Pub\/Sub topic/),
    ]);
  });

  it('refuses a bare topic name without GOOGLE_CLOUD_PROJECT', () => {
    expect(
      problemsOf({RESOURCE_SCOPE: 'folders/1', NOTIFICATION_TOPIC: 'events'}),
    ).toEqual([
      expect.stringMatching(/^NOTIFICATION_TOPIC=.*GOOGLE_CLOUD_PROJECT/),
    ]);
  });

  it('aims at PUBSUB_ENDPOINT, a base URL', () => {
    expect(
      loadConfig({...BASE, PUBSUB_ENDPOINT: 'https://pubsub.example.com/'})
        .endpoints.pubsub,
    ).toBe('https://pubsub.example.com');
    expect(
      problemsOf({...BASE, PUBSUB_ENDPOINT: 'https://x.example.com/v1'}),
    ).toEqual([expect.stringMatching(/^PUBSUB_ENDPOINT=.*without a path/)]);
  });

  it('aims at PUBSUB_EMULATOR_HOST over plain http, so without credentials', () => {
    expect(
      loadConfig({...BASE, PUBSUB_EMULATOR_HOST: 'localhost:8085'}).endpoints
        .pubsub,
    ).toBe('http://localhost:8085');
    expect(
      problemsOf({...BASE, PUBSUB_EMULATOR_HOST: 'http://localhost:8085'}),
    ).toEqual([expect.stringMatching(/^PUBSUB_EMULATOR_HOST=.*host:port/)]);
  });

  it('refuses PUBSUB_ENDPOINT and PUBSUB_EMULATOR_HOST together', () => {
    expect(
      problemsOf({
        ...BASE,
        PUBSUB_ENDPOINT: 'http://127.0.0.1:1',
        PUBSUB_EMULATOR_HOST: '127.0.0.1:2',
      }),
    ).toEqual([expect.stringMatching(/not both/)]);
  });
});

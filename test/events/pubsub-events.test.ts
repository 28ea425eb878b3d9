/**
 * Events end to end: the real routes (test/approvals/harness.ts) publish to
 * Google's Pub/Sub emulator, and a pull subscriber decodes every message and
 * compares it, field by field, with the messages JIT Access 1.8.1 publishes
 * (test/fixtures/pubsub-events.json). Without Java or the emulator's JAR that
 * part reports itself skipped; the failure cases run against the fake Google
 * Cloud everywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {EVENTS, type EventType} from '../../shared/events/events';
import {
  formatEvent,
  javaHashMapOrder,
  javaInstant,
} from '../../shared/events/gson';
import {
  pubSubEmulatorMissing,
  startPubSubEmulator,
  type PubSubEmulator,
  type PulledMessage,
} from '../../sandbox/pubsub-emulator';
import {
  ALICE,
  BOB,
  CAROL,
  Harness,
  OTHER_ROLE,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  ROLE,
  startHarness,
} from '../approvals/harness';
import {describeIf} from '../support/skip';

const SET = 'cloudresourcemanager.projects.setIamPolicy';
const JIT_ROLES = ['roles/iap.tunnelResourceAccessor', 'roles/viewer'];

interface Vector {
  type: EventType;
  json: string;
}
const upstream = (
  JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '../fixtures/pubsub-events.json'),
      'utf8',
    ),
  ) as {vectors: Vector[]}
).vectors;

/** Upstream's attribute names and kinds, in the order it writes them. */
function upstreamShape(type: EventType): Array<[string, 'string' | 'list']> {
  const v = upstream.find(u => u.type === type)!;
  const attributes = (JSON.parse(v.json) as {attributes: object}).attributes;
  return Object.entries(attributes).map(([k, value]) => [
    k,
    Array.isArray(value) ? 'list' : 'string',
  ]);
}

/** Ours: upstream's shape, with the attributes of EVENTS. */
function ourShape(type: EventType): Array<[string, 'string' | 'list']> {
  return javaHashMapOrder(EVENTS[type]).map(k => [
    k.toLowerCase(),
    k === 'REVIEWERS' ? 'list' : 'string',
  ]);
}

interface Decoded {
  type: EventType;
  attributes: Record<string, string | string[]>;
}

/** Checks one message as a subscriber sees it, and decodes it. */
function decode(m: PulledMessage): Decoded {
  expect(m.message.attributes ?? {}).toEqual({});
  const text = Buffer.from(m.message.data ?? '', 'base64').toString('utf8');
  const event = JSON.parse(text) as Decoded;
  expect(Object.keys(event)).toEqual(['type', 'attributes']);
  const shape = (
    [
      'ActivationSelfApproved',
      'RequestActivation',
      'ActivationApproved',
    ] as EventType[]
  ).includes(event.type)
    ? upstreamShape(event.type)
    : ourShape(event.type);
  expect(
    Object.entries(event.attributes).map(([k, v]) => [
      k,
      Array.isArray(v) ? 'list' : typeof v,
    ]),
  ).toEqual(shape);
  // The very bytes upstream's Gson would write for these values.
  expect(text).toBe(formatEvent(event.type, Object.entries(event.attributes)));
  return event;
}

const WHOLE_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;
const BASE = 'https://jit.example.com';

const missing = pubSubEmulatorMissing();

describeIf(!missing, missing ?? '')(
  "events on Google's Pub/Sub emulator",
  () => {
    let subscription: string;
    let emulator: PubSubEmulator;
    let h: Harness;

    /** Every message published since the last call, decoded. */
    async function received(count: number): Promise<Decoded[]> {
      const messages: PulledMessage[] = [];
      const deadline = Date.now() + 10_000;
      while (messages.length < count && Date.now() < deadline) {
        messages.push(...(await emulator.pull(subscription)));
        if (messages.length < count) await new Promise(r => setTimeout(r, 100));
      }
      messages.push(...(await emulator.pull(subscription)));
      expect(messages).toHaveLength(count);
      return messages
        .sort(
          (a, b) => Number(a.message.messageId) - Number(b.message.messageId),
        )
        .map(decode);
    }

    beforeAll(async () => {
      emulator = await startPubSubEmulator();
      h = await startHarness({
        env: {
          // A bare name: the topic lives in GOOGLE_CLOUD_PROJECT.
          NOTIFICATION_TOPIC: 'jit-events',
          PUBSUB_EMULATOR_HOST: emulator.host,
          PUBSUB_ENDPOINT: '',
        },
      });
      // A bare name: the topic lives in GOOGLE_CLOUD_PROJECT.
      const topic = h.iap.config.notificationTopic!;
      expect(topic).toBe(
        `projects/${h.iap.config.projectId}/topics/jit-events`,
      );
      subscription = topic.replace('/topics/', '/subscriptions/');
      await emulator.createTopic(topic);
      await emulator.createSubscription(subscription, topic);
      h.eligibility.grants.push(
        ...JIT_ROLES.map(role => ({
          project: PROJECT,
          user: ALICE,
          type: 'JIT' as const,
          role,
        })),
      );
    }, 90_000);
    afterAll(async () => {
      await h?.close();
      await emulator?.stop();
    });

    it('publishes ActivationSelfApproved as upstream does, once for all roles', async () => {
      const res = await h
        .post(`/api/projects/${PROJECT}/roles/self-activate`, ALICE, {
          roles: JIT_ROLES,
          justification: 'case <42> & co',
          durationMinutes: 30,
        })
        .expect(200);
      const [event] = await received(1);
      const [first] = res.body.activations as Array<{
        start: string;
        end: string;
      }>;
      expect(event).toEqual({
        type: 'ActivationSelfApproved',
        attributes: {
          role: JIT_ROLES.join(', '),
          beneficiary: ALICE,
          start_time: first!.start,
          end_time: first!.end,
          justification: 'case <42> & co',
          project_id: PROJECT,
        },
      });
      expect(event!.attributes.start_time).toMatch(WHOLE_SECONDS);
    });

    it('publishes RequestActivation and ActivationApproved as upstream does', async () => {
      const created = (
        await h.post(REQUEST_PATH, ALICE, requestBody()).expect(201)
      ).body;
      expect(created.event).toEqual({published: true});
      const approved = (
        await h.post(`/api/requests/${created.id}/approve`, BOB, {}).expect(200)
      ).body;
      expect(approved.event).toEqual({published: true});
      const [requested, activated] = await received(2);

      expect(requested).toEqual({
        type: 'RequestActivation',
        attributes: {
          role: ROLE,
          beneficiary: ALICE,
          start_time: expect.stringMatching(WHOLE_SECONDS),
          end_time: expect.stringMatching(WHOLE_SECONDS),
          reviewers: [BOB, CAROL],
          justification: 'case 42',
          action_url: `${BASE}/requests/${created.id}`,
          request_expiry_time: expect.stringMatching(INSTANT),
          base_url: `${BASE}/`,
          project_id: PROJECT,
          resource_condition: '',
        },
      });
      const a = requested!.attributes;
      expect(
        Date.parse(a.end_time as string) - Date.parse(a.start_time as string),
      ).toBe(30 * 60_000);
      expect(Date.parse(a.request_expiry_time as string)).toBe(
        Date.parse(created.expiresAt),
      );

      expect(activated).toEqual({
        type: 'ActivationApproved',
        attributes: {
          role: ROLE,
          beneficiary: ALICE,
          start_time: javaInstant(approved.activation.start),
          end_time: javaInstant(approved.activation.end),
          reviewers: [BOB, CAROL],
          justification: 'case 42',
          base_url: `${BASE}/`,
          approver: BOB,
          project_id: PROJECT,
          resource_condition: '',
        },
      });
    });

    it('publishes ActivationRequestDenied, ActivationRequestWithdrawn and ActivationFailed in the same shape', async () => {
      const denied = (
        await h
          .post(REQUEST_PATH, ALICE, requestBody({role: OTHER_ROLE}))
          .expect(201)
      ).body;
      await h
        .post(`/api/requests/${denied.id}/deny`, CAROL, {reason: 'not now'})
        .expect(200);
      const withdrawn = (
        await h
          .post(REQUEST_PATH, ALICE, requestBody({role: OTHER_ROLE}))
          .expect(201)
      ).body;
      await h
        .post(`/api/requests/${withdrawn.id}/withdraw`, ALICE, {})
        .expect(200);
      const failed = (
        await h.post(REQUEST_PATH, ALICE, requestBody()).expect(201)
      ).body;
      h.fake.failNext(SET, 400, 1);
      expect(
        (await h.post(`/api/requests/${failed.id}/approve`, BOB, {})).status,
      ).toBeGreaterThanOrEqual(400);
      const stored = (
        await h.get(`/api/requests/${failed.id}`, ALICE).expect(200)
      ).body;
      expect(stored.event).toEqual({published: true});

      const events = await received(6);
      expect(events.map(e => e.type)).toEqual([
        'RequestActivation',
        'ActivationRequestDenied',
        'RequestActivation',
        'ActivationRequestWithdrawn',
        'RequestActivation',
        'ActivationFailed',
      ]);
      const common = (id: string, role: string) => ({
        beneficiary: ALICE,
        reviewers: [BOB, CAROL],
        project_id: PROJECT,
        role,
        resource_condition: '',
        justification: 'case 42',
        base_url: `${BASE}/`,
        action_url: `${BASE}/requests/${id}`,
      });
      expect(events[1]!.attributes).toEqual({
        ...common(denied.id, OTHER_ROLE),
        reviewer: CAROL,
        reason: 'not now',
      });
      expect(events[3]!.attributes).toEqual(common(withdrawn.id, OTHER_ROLE));
      expect(events[5]!.attributes).toEqual({
        ...common(failed.id, ROLE),
        approver: BOB,
        start_time: expect.stringMatching(WHOLE_SECONDS),
        end_time: expect.stringMatching(WHOLE_SECONDS),
        error: stored.error,
      });
    });
  },
);

describe('a publication that fails', () => {
  let h: Harness;
  beforeAll(async () => {
    // The fake Google Cloud has no such topic: every publish answers 404.
    h = await startHarness({env: {NOTIFICATION_TOPIC: 'missing-topic'}});
  });
  afterAll(() => h.close());

  it('never fails the action: the request record and the log say what went wrong', async () => {
    const created = await h
      .post(REQUEST_PATH, ALICE, requestBody())
      .expect(201);
    expect(created.body.state).toBe('PENDING');
    expect(created.body.event).toEqual({
      published: false,
      error: expect.stringContaining('missing-topic'),
    });
    const stored = (
      await h.get(`/api/requests/${created.body.id}`, ALICE).expect(200)
    ).body;
    expect(stored.event).toEqual(created.body.event);
    expect(stored.notification).toEqual({delivered: true});
    const failure = h.log
      .entries()
      .find(
        e =>
          (e['logging.googleapis.com/labels'] as Record<string, string>)
            ?.event === 'notification.failed',
      );
    expect(failure).toMatchObject({
      severity: 'ERROR',
      notification: {
        type: 'RequestActivation',
        attributes: {beneficiary: ALICE},
      },
    });
    // The approval still activates.
    const approved = await h
      .post(`/api/requests/${created.body.id}/approve`, BOB, {})
      .expect(200);
    expect(approved.body.state).toBe('ACTIVE');
    expect(approved.body.event.published).toBe(false);
  });
});

/**
 * The approvals under test, end to end inside one process: the request and
 * approve routes through functions-framework's test server with real IAP
 * assertions, the real Firestore store on the run's emulator, the real
 * activator and Resource Manager adapter against the fake Google Cloud, and
 * mail captured by an in-process SMTP server and parsed with mailparser.
 *
 * Eligibility is in memory (test/support/memory-eligibility.ts): these tests
 * are about requests, not catalogs. Its grants are mutable, so a test can
 * revoke eligibility.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import type {Firestore} from '@google-cloud/firestore';
import {AddressInfo} from 'node:net';
import {simpleParser, ParsedMail} from 'mailparser';
import {SMTPServer} from 'smtp-server';
import request from 'supertest';
import {makeActivateRoutes} from '../../functions/activate/routes';
import {makeApproveRoutes} from '../../functions/approve/routes';
import {makeChatRoutes} from '../../functions/chat/routes';
import {once} from '../../functions/deps';
import {makeGrantRoutes} from '../../functions/grants/routes';
import {makeChatApp} from '../../shared/chat/app';
import {makeChatCards} from '../../shared/chat/notifier';
import {makeChatVerifier} from '../../shared/chat/verifier';
import {makeChatApi} from '../../shared/google/chat';
import {makeChatUserDirectory} from '../../shared/google/chat-users';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type World,
} from '../../sandbox/fake-gcp';
import {makeActivator} from '../../shared/activation/activator';
import {
  makeApprovalService,
  type ApprovalService,
} from '../../shared/approvals/service';
import {makeFirestore} from '../../shared/google/firestore';
import {makeFirestoreRequestStore} from '../../shared/google/firestore-requests';
import {makePubSubEventPublisher} from '../../shared/google/pubsub';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeProjectIamClient} from '../../shared/google/resource-manager';
import type {GrantStore, RequestStore} from '../../shared/ports';
import {makeHttpFunction} from '../../shared/http';
import {makeMemoryLogger} from '../../shared/log';
import {makeBaseUrlResolver} from '../../shared/notifications/public-url';
import {makeSmtpNotifier} from '../../shared/notifications/smtp-notifier';
import {makeTestIap, type TestIap} from '../support/iap';
import {
  MemoryEligibility,
  type EligibleGrant,
} from '../support/memory-eligibility';
import {servicesOver} from '../support/services';
import {testGrantStore} from '../support/grants';
import {openApiAnswer} from '../support/openapi';
import {uniquePrefix} from '../support/requests';

export const PROJECT = 'approval-project';
export const ROLE = 'roles/compute.admin';
/** A second role everyone may request, for tests that need two requests open. */
export const OTHER_ROLE = 'roles/compute.viewer';
export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
export const CAROL = 'carol@example.com';
export const DAVE = 'dave@example.com';
export const MALLORY = 'mallory@example.com';
/** An auditor through a nested group, when a test sets AUDITOR_PRINCIPALS. */
export const GINA = 'gina@example.com';

export function approvalWorld(): World {
  return {
    organization: {name: 'organizations/1001', domain: 'example.com'},
    domains: ['example.com'],
    projects: [
      {projectId: PROJECT, projectNumber: '3001', parent: 'organizations/1001'},
    ],
    policies: {
      [`projects/${PROJECT}`]: {
        version: 1,
        bindings: [{role: 'roles/owner', members: ['user:root@example.com']}],
      },
    },
    // Auditors by nested group (AUDITOR_PRINCIPALS=group:auditors@…).
    groups: [
      {email: 'auditors@example.com', members: ['audit-team@example.com']},
      {email: 'audit-team@example.com', members: [GINA]},
    ],
  };
}

/** An MPA-eligible binding of ROLE on PROJECT for `user`. */
export function mpaGrant(user: string): EligibleGrant {
  return {project: PROJECT, user, type: 'MPA', role: ROLE};
}

/** Alice, Bob, Carol and Dave are MPA-eligible for ROLE and OTHER_ROLE; peers follow from it. */
export function approvalEligibility(): MemoryEligibility {
  return new MemoryEligibility([
    ...[ALICE, BOB, CAROL, DAVE].map(mpaGrant),
    ...[ALICE, BOB, CAROL, DAVE].map(user => ({
      ...mpaGrant(user),
      role: OTHER_ROLE,
    })),
  ]);
}

export interface CapturedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface SmtpCapture {
  port: number;
  mails: CapturedMail[];
  close(): Promise<void>;
}

/** An SMTP server on loopback that keeps every mail, parsed. */
export async function startSmtpCapture(port = 0): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(parsed => {
          mails.push({
            envelopeTo: session.envelope.rcptTo.map(r => r.address),
            parsed,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

export interface Harness {
  fake: FakeGoogleCloud;
  iap: TestIap;
  smtp: SmtpCapture;
  eligibility: MemoryEligibility;
  approvals: ApprovalService;
  /** The request store the services write. */
  requests: RequestStore;
  /** The ledger the services write. */
  grants: GrantStore;
  firestore: Firestore;
  log: ReturnType<typeof makeMemoryLogger>;
  /** Firestore operations by kind since the last reset. */
  operations: Record<string, number>;
  /** supertest against the function. */
  http: () => ReturnType<typeof request>;
  /**
   * supertest against the `chat` target's routes, behind the real Chat
   * verifier (with CHAT_AUDIENCE set).
   */
  chatHttp: () => ReturnType<typeof request>;
  post(path: string, user: string, body?: unknown): request.Test;
  get(path: string, user: string): request.Test;
  close(): Promise<void>;
}

let functionCounter = 0;

export async function startHarness(
  options: {env?: Record<string, string>; smtpPort?: number} = {},
): Promise<Harness> {
  const fake = await startFakeGoogleCloud(approvalWorld());
  const smtp = await startSmtpCapture();
  const iap = await makeTestIap({
    env: {
      ...fakeEndpoints(fake),
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      FIRESTORE_COLLECTION_PREFIX: uniquePrefix(),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(options.smtpPort ?? smtp.port),
      SMTP_ENABLE_STARTTLS: 'false',
      SMTP_SENDER_ADDRESS: 'jit@example.com',
      PUBLIC_BASE_URL: 'https://jit.example.com',
      NOTIFICATION_TIMEZONE: 'Europe/Berlin',
      ...options.env,
    },
  });
  const config = iap.config;
  const log = makeMemoryLogger();
  const eligibility = approvalEligibility();
  const firestore = makeFirestore(config);
  const operations: Record<string, number> = {};
  const store = makeFirestoreRequestStore({
    firestore,
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
    onOperation: kind => {
      operations[kind] = (operations[kind] ?? 0) + 1;
    },
  });
  const activator = makeActivator({
    iam: makeProjectIamClient(config, log.logger, {
      retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 3_000},
    }),
    log: log.logger,
    initialDelayMs: 5,
    maxDelayMs: 20,
  });
  // With NOTIFICATION_TOPIC, events go to Pub/Sub as in production.
  const events = config.notificationTopic
    ? makePubSubEventPublisher(config, log.logger, {
        retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 3_000},
        baseUrl: makeBaseUrlResolver(config),
      })
    : undefined;
  const grants = testGrantStore(config);
  const smtpNotifier = makeSmtpNotifier({
    config,
    log: log.logger,
    baseUrl: makeBaseUrlResolver(config),
    timeoutMs: 2_000,
  });
  // With CHAT_SPACE or CHAT_DIRECT_MESSAGES, cards go to the fake's Chat API.
  const chatUsers = makeChatUserDirectory(config, async () => firestore);
  const chatCards =
    config.chat && (config.chat.space || config.chat.directMessages)
      ? makeChatCards({
          chat: config.chat,
          api: makeChatApi(config, log.logger, {
            retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 2_000},
          }),
          users: chatUsers,
          baseUrl: makeBaseUrlResolver(config),
          timezone: config.notificationTimezone,
          log: log.logger,
        })
      : undefined;
  const approvals = makeApprovalService({
    config,
    store,
    grants,
    ...(events ? {events} : {}),
    ...(chatCards ? {chat: chatCards} : {}),
    eligibility,
    activator,
    notifier: smtpNotifier,
    log: log.logger,
  });
  const services = servicesOver({
    config,
    log: log.logger,
    approvals,
    grants,
    requests: store,
    iam: makeProjectIamClient(config, log.logger, {
      retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 3_000},
    }),
    directory: makeDirectoryClient(config, log.logger),
    notifier: smtpNotifier,
    eligibility,
    activator,
    ...(events ? {events} : {}),
    ...(chatCards ? {chatCards} : {}),
    chat: {
      // Built on the first call: without CHAT_AUDIENCE it refuses to build.
      verifier: once(async () =>
        makeChatVerifier({
          chat: config.chat,
          ...(config.projectNumber
            ? {projectNumber: config.projectNumber}
            : {}),
          runtime: config.runtime,
          log: log.logger,
        }),
      ),
      app: async () =>
        makeChatApp({
          approvals: async () => approvals,
          users: chatUsers,
          baseUrl: makeBaseUrlResolver(config),
          timezone: config.notificationTimezone,
          log: log.logger,
        }),
    },
  });
  const name = `approvals${++functionCounter}`;
  functions.http(
    name,
    makeHttpFunction({
      // Requests and decisions on them: the routes of `activate` and `approve`.
      routes: [
        ...makeActivateRoutes(services),
        ...makeApproveRoutes(services),
        ...makeGrantRoutes(services),
      ],
      verifier: iap.verifier,
      log: log.logger,
      rateLimitPerMinute: 0,
    }),
  );
  const server = getTestServer(name);
  const http = () => request(server);
  const chatName = `chat${functionCounter}`;
  functions.http(
    chatName,
    makeHttpFunction({
      routes: makeChatRoutes(services),
      verifier: {
        verify: async headers =>
          (await services.chat!.verifier()).verify(headers),
      },
      log: log.logger,
      rateLimitPerMinute: 0,
    }),
  );
  const chatServer = getTestServer(chatName);
  return {
    fake,
    iap,
    smtp,
    eligibility,
    approvals,
    requests: store,
    grants,
    firestore,
    log,
    operations,
    http,
    chatHttp: () => request(chatServer),
    // Every answer is checked against the OpenAPI document.
    post: (path, user, body = {}) =>
      http()
        .post(path)
        .set('x-goog-iap-jwt-assertion', iap.assertionFor(user))
        .set('X-JIT-Access', '1')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body))
        .expect(openApiAnswer),
    get: (path, user) =>
      http()
        .get(path)
        .set('x-goog-iap-jwt-assertion', iap.assertionFor(user))
        .expect(openApiAnswer),
    close: async () => {
      await Promise.all([
        fake.stop(),
        smtp.close(),
        iap.close(),
        firestore.terminate(),
      ]);
    },
  };
}

/** A valid request body; override what a test is about. */
export function requestBody(overrides: Record<string, unknown> = {}) {
  return {
    role: ROLE,
    justification: 'case 42',
    durationMinutes: 30,
    reviewers: [BOB, CAROL],
    ...overrides,
  };
}

export const REQUEST_PATH = `/api/projects/${PROJECT}/roles/request`;

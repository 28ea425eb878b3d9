/**
 * The self-activation mail (NOTIFY_SELF_ACTIVATION): POST
 * /api/projects/{project}/roles/self-activate on target `activate` with the
 * real SMTP notifier and a real SMTP server in-process, the real activator
 * and Resource Manager adapter against the fake Google Cloud. Eligibility is
 * in memory (test/support/memory-eligibility.ts).
 */
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import type {Config} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';
import {makeSmtpNotifier} from '../../shared/notifications/smtp-notifier';
import {makeTestIap, type TestIap} from '../support/iap';
import {registerActivateTarget} from '../activation/activate-target';
import {startMailServer} from '../notifications/mail-server';
import {
  activationWorld,
  memoryEligibility,
  PROJECT,
} from '../activation/fixtures';

const NOW = new Date('2040-01-01T10:00:00.750Z');
const PATH = `/api/projects/${PROJECT}/roles/self-activate`;

let fake: FakeGoogleCloud;
let iap: TestIap;
let smtp: Awaited<ReturnType<typeof startMailServer>>;
/** A port where no SMTP server listens (the server was closed). */
let deadPort: number;
const eligibility = memoryEligibility();
const memory = makeMemoryLogger();

function register(name: string, config: Config) {
  return registerActivateTarget(name, {
    config,
    log: memory.logger,
    verifier: iap.verifier,
    eligibility,
    now: () => NOW,
    notifier: makeSmtpNotifier({
      config,
      log: memory.logger,
      baseUrl: async () => config.publicBaseUrl,
      timeoutMs: 2_000,
    }),
  });
}

function configWith(port: number): Config {
  return {
    ...iap.config,
    smtp: {...iap.config.smtp, host: '127.0.0.1', port, enableStartTls: false},
  };
}

beforeAll(async () => {
  fake = await startFakeGoogleCloud(activationWorld());
  const dead = await startMailServer();
  deadPort = dead.port;
  await dead.close();
  smtp = await startMailServer();
  iap = await makeTestIap({
    env: {
      ...fakeEndpoints(fake),
      SMTP_SENDER_ADDRESS: 'jit@example.com',
      NOTIFY_SELF_ACTIVATION: 'security@example.com',
      PUBLIC_BASE_URL: 'https://jit.example.com',
    },
  });
  await register('selfActivateMail', configWith(smtp.port));
  await register('selfActivateMailDown', configWith(deadPort));
  const mapped = configWith(smtp.port);
  await register('selfActivateMailMapped', {
    ...mapped,
    smtp: {
      ...mapped.smtp,
      addressMapping:
        "user.email.extract('{handle}@example.com') + '@mail.example.com'",
    },
  });
});

afterAll(async () => {
  await fake.stop();
  await iap.close();
  await smtp.close();
});

beforeEach(() => {
  fake.world = activationWorld();
  fake.resetLog();
  smtp.mails.length = 0;
  memory.lines.length = 0;
});

function post(body: unknown, target = 'selfActivateMail') {
  return request(getTestServer(target))
    .post(PATH)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor('alice@example.com'))
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
}

/** The audit entry of the self-activation, its labels flattened in. */
function auditEvent() {
  return memory
    .entries()
    .map(e => ({
      ...e,
      ...(e['logging.googleapis.com/labels'] as Record<string, string>),
    }))
    .find(e => e['event'] === 'api.activateRole');
}

describe('the self-activation mail', () => {
  it('is sent before the answer, to the user with NOTIFY_SELF_ACTIVATION in copy, listing every role', async () => {
    const res = await post({
      roles: ['roles/a', 'roles/b'],
      justification: 'case 42',
      durationMinutes: 30,
    });
    expect(res.status).toBe(200);
    // Sent before the answer: no waiting here.
    expect(smtp.mails).toHaveLength(1);
    const {mail, rcptTo} = smtp.mails[0]!;
    expect(rcptTo.sort()).toEqual([
      'alice@example.com',
      'security@example.com',
    ]);
    expect(mail.subject).toBe(
      `alice@example.com activated 2 roles on ${PROJECT}`,
    );
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    const lines = (mail.text ?? '').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Role: roles/a',
        'Role: roles/b',
        `Project: ${PROJECT}`,
        'Justification: case 42',
        `Open JIT Access: https://jit.example.com/#roles/${PROJECT}`,
      ]),
    );
    expect(auditEvent()).toMatchObject({mail: {delivered: true}});
  });

  it("maps the user's address with SMTP_ADDRESS_MAPPING, and sends the copies to the addresses as configured", async () => {
    const res = await post(
      {roles: ['roles/a'], justification: 'case 42', durationMinutes: 30},
      'selfActivateMailMapped',
    );
    expect(res.status).toBe(200);
    expect(smtp.mails.map(m => m.rcptTo.sort())).toEqual([
      ['alice@mail.example.com', 'security@example.com'],
    ]);
  });

  it('never fails or undoes the activation when the mail cannot be sent', async () => {
    const res = await post(
      {roles: ['roles/a'], justification: 'case 42', durationMinutes: 30},
      'selfActivateMailDown',
    );
    expect(res.status).toBe(200);
    expect(res.body.activations).toHaveLength(1);
    const bindings =
      fake.world.policies?.[`projects/${PROJECT}`]?.bindings ?? [];
    expect(
      bindings.some(
        b =>
          b.role === 'roles/a' && b.members.includes('user:alice@example.com'),
      ),
    ).toBe(true);
    expect(auditEvent()).toMatchObject({
      mail: {
        delivered: false,
        error: expect.stringMatching(/^The mail could not be sent/),
      },
    });
    expect(
      memory
        .entries()
        .map(
          e =>
            (e['logging.googleapis.com/labels'] as Record<string, string>)?.[
              'event'
            ],
        ),
    ).toContain('mail.failed');
  });

  it('is not sent when the activation is refused', async () => {
    const res = await post({
      roles: ['roles/compute.admin'],
      justification: 'case 42',
      durationMinutes: 30,
    });
    expect(res.status).toBe(403);
    expect(smtp.mails).toHaveLength(0);
  });
});

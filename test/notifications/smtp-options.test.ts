/**
 * SMTP_OPTIONS: upstream's JavaMail properties, read at cold start and
 * applied to the mail transport, against an in-process SMTP server.
 */
import * as net from 'node:net';
import {ConfigurationError} from '../../shared/errors';
import {makeMemoryLogger} from '../../shared/log';
import {makeSmtpNotifier} from '../../shared/notifications/smtp-notifier';
import {SMTP_OPTION_KEYS} from '../../shared/notifications/smtp-options';
import {loadUpstreamFacts} from '../support/upstream';
import {newRequest, testConfig} from '../support/requests';
import {startMailServer} from './mail-server';

function problemsOf(env: Record<string, string>): string[] {
  try {
    testConfig(env);
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems;
    throw e;
  }
  return [];
}

function notifierFor(env: Record<string, string>) {
  const memory = makeMemoryLogger();
  const notifier = makeSmtpNotifier({
    config: testConfig(env),
    log: memory.logger,
    baseUrl: async () => 'https://jit.example.com',
  });
  return {notifier, memory};
}

describe('SMTP_OPTIONS', () => {
  it("reads upstream's documented example", () => {
    const example = loadUpstreamFacts().variables.list.find(
      v => v.name === 'SMTP_OPTIONS',
    )!.example;
    expect(testConfig({SMTP_OPTIONS: example}).smtp.options).toEqual({
      connectionTimeoutMs: 60000,
      writeTimeoutMs: 30000,
    });
  });

  it('stops the cold start on an unknown key, listing the supported keys', () => {
    expect(
      problemsOf({
        SMTP_OPTIONS: 'mail.smtp.quitwait=false, mail.smtp.timeout=x',
      }),
    ).toEqual([
      `SMTP_OPTIONS: mail.smtp.quitwait is not supported (supported: ${SMTP_OPTION_KEYS.join(', ')})`,
      'SMTP_OPTIONS: mail.smtp.timeout="x": expected a whole number of milliseconds, at least 1',
    ]);
  });

  it('refuses an entry that is not key=value, which upstream dropped', () => {
    expect(problemsOf({SMTP_OPTIONS: 'mail.smtp.localhost'})).toEqual([
      'SMTP_OPTIONS: "mail.smtp.localhost" is not of the form key=value',
    ]);
  });

  it('gives the mail.smtp.localhost name in EHLO', async () => {
    const smtp = await startMailServer();
    try {
      const {notifier} = notifierFor({
        SMTP_PORT: String(smtp.port),
        SMTP_OPTIONS: 'mail.smtp.localhost=jit.example.org',
      });
      expect(await notifier.notify('requested', newRequest())).toEqual({
        delivered: true,
      });
      expect(smtp.mails[0]!.ehloName).toBe('jit.example.org');
    } finally {
      await smtp.close();
    }
  });

  it('trusts the certificate of a mail.smtp.ssl.trust host, and no other', async () => {
    const smtp = await startMailServer({disabledCommands: []});
    try {
      const untrusted = notifierFor({
        SMTP_PORT: String(smtp.port),
        SMTP_ENABLE_STARTTLS: 'true',
      });
      const refused = await untrusted.notifier.notify(
        'requested',
        newRequest(),
      );
      expect(refused.delivered).toBe(false);
      expect(refused.error).toMatch(/certificate/i);

      const otherHost = notifierFor({
        SMTP_PORT: String(smtp.port),
        SMTP_ENABLE_STARTTLS: 'true',
        SMTP_OPTIONS: 'mail.smtp.ssl.trust=smtp.example.com',
      });
      expect(
        (await otherHost.notifier.notify('requested', newRequest())).delivered,
      ).toBe(false);

      const trusted = notifierFor({
        SMTP_PORT: String(smtp.port),
        SMTP_ENABLE_STARTTLS: 'true',
        SMTP_OPTIONS: 'mail.smtp.ssl.trust=127.0.0.1',
      });
      expect(await trusted.notifier.notify('requested', newRequest())).toEqual({
        delivered: true,
      });
      expect(smtp.mails.map(m => m.secure)).toEqual([true]);
    } finally {
      await smtp.close();
    }
  });

  it('mail.smtp.starttls.required refuses a server without STARTTLS', async () => {
    const smtp = await startMailServer();
    try {
      const {notifier} = notifierFor({
        SMTP_PORT: String(smtp.port),
        SMTP_OPTIONS: 'mail.smtp.starttls.required=true',
      });
      const status = await notifier.notify('requested', newRequest());
      expect(status.delivered).toBe(false);
      expect(smtp.mails).toEqual([]);
    } finally {
      await smtp.close();
    }
  });

  it('mail.smtp.timeout cuts a server that never greets', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer(s => sockets.push(s));
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    try {
      const {notifier} = notifierFor({
        SMTP_PORT: String((silent.address() as net.AddressInfo).port),
        SMTP_OPTIONS: 'mail.smtp.timeout=300',
      });
      const started = Date.now();
      const status = await notifier.notify('requested', newRequest());
      const took = Date.now() - started;
      expect(status.delivered).toBe(false);
      // The default wait is 10 s.
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>(r => silent.close(() => r()));
    }
  });
});

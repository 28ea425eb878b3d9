import {AddressInfo} from 'node:net';
import {simpleParser, ParsedMail} from 'mailparser';
import {SMTPServer} from 'smtp-server';
import {makeMemoryLogger} from '../../shared/log';
import {makeSmtpNotifier} from '../../shared/notifications/smtp-notifier';
import {newRequest, testConfig} from '../support/requests';

/** An SMTP server that requires this user and password. */
async function startAuthSmtp(user: string, pass: string) {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass)
        callback(null, {user});
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(m => {
        mails.push(m);
        callback();
      }, callback);
    },
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

describe('SMTP notifier', () => {
  it('authenticates with the password read from SMTP_SECRET and sends both parts with Precedence: bulk', async () => {
    const smtp = await startAuthSmtp('mailer', 's3cret');
    const secretName = 'projects/p/secrets/smtp/versions/latest';
    const asked: string[] = [];
    const {logger} = makeMemoryLogger();
    try {
      const notifier = makeSmtpNotifier({
        config: testConfig({
          SMTP_PORT: String(smtp.port),
          SMTP_USERNAME: 'mailer',
          SMTP_SECRET: secretName,
        }),
        log: logger,
        secrets: {
          accessSecretVersion: async name => (asked.push(name), 's3cret\n'),
        },
        baseUrl: async () => 'https://jit.example.com',
      });
      expect(await notifier.notify('requested', newRequest())).toEqual({
        delivered: true,
      });
      expect(asked).toEqual([secretName]);
      expect(smtp.mails[0]!.headers.get('precedence')).toBe('bulk');
      expect(smtp.mails[0]!.html).toContain('<table');
      expect(smtp.mails[0]!.text).toContain('Justification: case 42');
      expect(smtp.mails[0]!.from?.value[0]?.address).toBe('jit@example.com');
    } finally {
      await smtp.close();
    }
  });

  it('reports a refused login as not delivered, without throwing', async () => {
    const smtp = await startAuthSmtp('mailer', 'right');
    const memory = makeMemoryLogger();
    try {
      const notifier = makeSmtpNotifier({
        config: testConfig({
          SMTP_PORT: String(smtp.port),
          SMTP_USERNAME: 'mailer',
          SMTP_PASSWORD: 'wrong',
        }),
        log: memory.logger,
        baseUrl: async () => undefined,
      });
      const status = await notifier.notify('requested', newRequest());
      expect(status.delivered).toBe(false);
      expect(status.error).toMatch(/could not be sent/);
      expect(memory.lines.join('\n')).not.toContain('wrong');
      expect(memory.lines.some(l => l.includes('"event":"mail.failed"'))).toBe(
        true,
      );
    } finally {
      await smtp.close();
    }
  });
});

/**
 * SMTP_ADDRESS_MAPPING end to end: checked at cold start, applied to every
 * recipient of a mail, and a failure for one user falls back to their email.
 */
import {ConfigurationError} from '../../shared/errors';
import {makeMemoryLogger} from '../../shared/log';
import {makeSmtpNotifier} from '../../shared/notifications/smtp-notifier';
import {newRequest, testConfig} from '../support/requests';
import {startMailServer} from './mail-server';

const CONDITIONAL =
  "user.email.endsWith('@external.example.com') ? user.email.extract('{handle}@external.example.com') + '@otherdomain.example' : user.email";

describe('SMTP_ADDRESS_MAPPING', () => {
  it('stops the cold start on an expression that does not compile', () => {
    let error: unknown;
    try {
      testConfig({SMTP_ADDRESS_MAPPING: 'user.email.extract('});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      expect.stringMatching(
        /^SMTP_ADDRESS_MAPPING="user.email.extract\(": expected a CEL expression over user.email that gives a string \(.+\)$/,
      ),
    ]);
  });

  it('mails every recipient at the mapped address', async () => {
    const smtp = await startMailServer();
    const {logger} = makeMemoryLogger();
    try {
      const notifier = makeSmtpNotifier({
        config: testConfig({
          SMTP_PORT: String(smtp.port),
          SMTP_ADDRESS_MAPPING: CONDITIONAL,
        }),
        log: logger,
        baseUrl: async () => 'https://jit.example.com',
      });
      const request = newRequest({
        requester: 'contractor@external.example.com',
        reviewers: ['bob@example.com', 'carol@external.example.com'],
      });
      expect(await notifier.notify('requested', request)).toEqual({
        delivered: true,
      });
      expect(smtp.mails[0]!.rcptTo.sort()).toEqual([
        'bob@example.com',
        'carol@otherdomain.example',
        'contractor@otherdomain.example',
      ]);
      // The mail still names the users by their IDs.
      expect(smtp.mails[0]!.mail.text).toContain(
        'Requester: contractor@external.example.com',
      );
    } finally {
      await smtp.close();
    }
  });

  it("falls back to the user's email when the mapping fails for them, and logs why", async () => {
    const smtp = await startMailServer();
    const memory = makeMemoryLogger();
    try {
      const notifier = makeSmtpNotifier({
        config: testConfig({
          SMTP_PORT: String(smtp.port),
          // Gives "" (not an address) for anyone outside example.com.
          SMTP_ADDRESS_MAPPING:
            "user.email.extract('{handle}@example.com') + '@mail.example.com'",
        }),
        log: memory.logger,
        baseUrl: async () => 'https://jit.example.com',
      });
      const request = newRequest({
        requester: 'alice@example.com',
        reviewers: ['dave@partner.example'],
      });
      expect(await notifier.notify('requested', request)).toEqual({
        delivered: true,
      });
      expect(smtp.mails[0]!.rcptTo.sort()).toEqual([
        'alice@mail.example.com',
        'dave@partner.example',
      ]);
      const warning = memory
        .entries()
        .find(e => JSON.stringify(e).includes('mail.addressMapping'));
      expect(warning?.severity).toBe('WARNING');
      expect(warning?.message).toBe(
        'SMTP_ADDRESS_MAPPING failed for dave@partner.example, so the mail goes to that address: the result "@mail.example.com" is not an email address',
      );
    } finally {
      await smtp.close();
    }
  });
});

/**
 * Sends the mails of docs/design.md §2.1 over SMTP with nodemailer. `notify` never
 * throws: a mail that cannot be sent is reported as `{delivered: false,
 * error}` and logged, so it can never lose or roll back a request.
 */
import type * as nodemailer from 'nodemailer';
import type {Config} from '../config';
import type {Logger} from '../log';
import type {NotificationStatus} from '../approvals/types';
import type {Notifier, SecretPort} from '../ports';
import {compileAddressMapping} from './address-mapping';
import {smtpTransportOptions} from './smtp-options';
import {requestLink, rolesLink} from './public-url';
import {
  composeMail,
  composeRevocationMail,
  composeSelfActivationMail,
  type Mail,
} from './templates';

export interface SmtpNotifierOptions {
  config: Config;
  log: Logger;
  /** Reads SMTP_SECRET when set. */
  secrets?: SecretPort;
  /** The base URL for links (see public-url.ts). */
  baseUrl: () => Promise<string | undefined>;
  /**
   * Per connection step, unless SMTP_OPTIONS sets it; a dead server must not
   * hold the response for long.
   */
  timeoutMs?: number;
}

/** Builds the notifier; the transport (and the secret) are fetched on first use. */
export function makeSmtpNotifier(options: SmtpNotifierOptions): Notifier {
  const {config, log} = options;
  const smtp = config.smtp;
  const timeout = options.timeoutMs ?? 10_000;
  let transport: nodemailer.Transporter | undefined;
  // Checked at cold start (shared/config.ts): compiling cannot fail here.
  const mapping = smtp.addressMapping
    ? compileAddressMapping(smtp.addressMapping)
    : undefined;

  /**
   * The address a user's mail goes to: SMTP_ADDRESS_MAPPING's result, or the
   * user's email when there is no mapping or it fails for this user.
   */
  function addressOf(email: string, labels: Record<string, string>): string {
    if (!mapping) return email;
    try {
      return mapping(email);
    } catch (e) {
      log.warn(
        `SMTP_ADDRESS_MAPPING failed for ${email}, so the mail goes to that address: ${(e as Error).message}`,
        {...labels, event: 'mail.addressMapping', user: email},
      );
      return email;
    }
  }

  async function getTransport(): Promise<nodemailer.Transporter> {
    if (transport) return transport;
    let pass = smtp.password;
    if (smtp.secret) {
      if (!options.secrets)
        throw new Error('No Secret Manager client for SMTP_SECRET');
      pass = (await options.secrets.accessSecretVersion(smtp.secret)).trim();
    }
    // Loaded on the first mail, not at cold start: the roles listing builds
    // the approvals service (for pending requests) but never sends mail.
    const mailer = await import('nodemailer');
    transport = mailer.createTransport(
      smtpTransportOptions(smtp, pass, timeout),
    );
    return transport;
  }

  /**
   * Sends one mail, or reports why it could not be sent; never throws. `what`
   * names the mail in the log; `compose` gets the base URL for links. The
   * recipients are users, mapped by SMTP_ADDRESS_MAPPING, except the copies
   * when `ccAsGiven` (addresses an administrator configured).
   */
  async function send(
    what: string,
    labels: Record<string, string>,
    compose: (base: string | undefined) => Mail,
    ccAsGiven = false,
  ): Promise<NotificationStatus> {
    try {
      if (!smtp.senderAddress) {
        throw new Error('SMTP_SENDER_ADDRESS is not set');
      }
      const base = await options.baseUrl();
      if (base === undefined) {
        log.warn('No base URL for mail links: set PUBLIC_BASE_URL', labels);
      }
      const mail = compose(base);
      await (
        await getTransport()
      ).sendMail({
        from: {name: smtp.senderName, address: smtp.senderAddress},
        to: mail.to.map(a => addressOf(a, labels)),
        cc: ccAsGiven ? mail.cc : mail.cc.map(a => addressOf(a, labels)),
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: {Precedence: 'bulk', 'Auto-Submitted': 'auto-generated'},
      });
      log.info(`Mail sent: ${what}`, labels);
      return {delivered: true};
    } catch (e) {
      // The SMTP library's message may name the server, never a password.
      const reason =
        `The mail could not be sent: ${(e as Error).message ?? 'unknown error'}`.slice(
          0,
          300,
        );
      log.error(
        reason,
        {...labels, event: 'mail.failed'},
        {error: e, mail: what},
      );
      return {delivered: false, error: reason};
    }
  }

  return {
    notify(event, request) {
      return send(
        event,
        {event: `mail.${event}`, requestId: request.id},
        base =>
          composeMail(event, request, {
            link:
              base === undefined ? undefined : requestLink(base, request.id),
            timezone: config.notificationTimezone,
          }),
      );
    },
    notifyRevoked(notice) {
      return send(
        'revoked',
        {
          event: 'mail.revoked',
          grantId: notice.grantId,
          requestId: notice.requestId,
        },
        base =>
          composeRevocationMail(notice, {
            link:
              base === undefined
                ? undefined
                : requestLink(base, notice.requestId),
            timezone: config.notificationTimezone,
          }),
      );
    },
    notifySelfActivation(notice) {
      return send(
        'selfActivated',
        {
          event: 'mail.selfActivated',
          user: notice.user,
          project: notice.project,
        },
        base =>
          composeSelfActivationMail(
            notice,
            config.notifySelfActivation?.cc ?? [],
            {
              link:
                base === undefined
                  ? undefined
                  : rolesLink(base, notice.project),
              timezone: config.notificationTimezone,
            },
          ),
        // NOTIFY_SELF_ACTIVATION lists mail addresses, not users.
        true,
      );
    },
  };
}

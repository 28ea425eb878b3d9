/**
 * The sandbox's SMTP sink: an in-process SMTP server on loopback that keeps
 * the last mails in memory, parsed, for /sandbox/mail and for tests.
 */
import {simpleParser} from 'mailparser';
import type {AddressInfo} from 'net';
import {SMTPServer} from 'smtp-server';

/** One received mail, as the sandbox shows it. */
export interface SandboxMail {
  id: number;
  receivedAt: string;
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html?: string;
  /** Every http(s) link in the mail, in order, without duplicates. */
  links: string[];
}

export interface MailSink {
  host: string;
  port: number;
  /** Newest last. */
  readonly mails: readonly SandboxMail[];
  stop(): Promise<void>;
}

// The sandbox runs for hours; keep memory bounded.
const MAX_MAILS = 500;

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&#x2F;/gi, '/')
    .replace(/&#47;/g, '/')
    .replace(/&quot;/g, '"');
}

/** The links of a mail: hrefs of the HTML part, then URLs in the text. */
export function extractLinks(text: string, html: string | undefined): string[] {
  const links: string[] = [];
  for (const m of (html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi)) {
    links.push(decodeEntities(m[1]!));
  }
  for (const m of text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    links.push(m[0]);
  }
  return [...new Set(links.filter(l => /^https?:\/\//.test(l)))];
}

/** Starts the sink on 127.0.0.1 (port 0: a free port). */
export async function startMailSink(port = 0): Promise<MailSink> {
  const mails: SandboxMail[] = [];
  let next = 1;
  const server = new SMTPServer({
    // Plain SMTP on loopback, as the sandbox configures the functions
    // (SMTP_ENABLE_STARTTLS=false, no credentials).
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    banner: 'JIT Access sandbox mail sink',
    size: 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(parsed => {
          const text = parsed.text ?? '';
          const html =
            typeof parsed.html === 'string' ? parsed.html : undefined;
          mails.push({
            id: next++,
            receivedAt: new Date().toISOString(),
            to: session.envelope.rcptTo.map(r => r.address),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text,
            html,
            links: extractLinks(text, html),
          });
          if (mails.length > MAX_MAILS) mails.shift();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    mails,
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

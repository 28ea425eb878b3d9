/**
 * SMTP_OPTIONS: JIT Access 1.x's extra JavaMail properties
 * (https://javaee.github.io/javamail/docs/api/com/sun/mail/smtp/package-summary.html),
 * a comma-separated list of `key=value`, e.g.
 * `mail.smtp.connectiontimeout=60000, mail.smtp.writetimeout=30000`.
 *
 * Each property that has a meaning for nodemailer is read into SmtpOptions;
 * any other key stops the cold start with the list of supported keys, so that
 * no setting is silently dropped (upstream drops a malformed entry; we refuse
 * it too).
 */

/** What SMTP_OPTIONS asks of the mail transport; unset: the default. */
export interface SmtpOptions {
  /** mail.smtp.ssl.trust: `*` or the hosts whose certificate is trusted as is. */
  trust?: '*' | string[];
  /** mail.smtp.starttls.enable: overrides SMTP_ENABLE_STARTTLS, as upstream does. */
  startTlsEnable?: boolean;
  /** mail.smtp.starttls.required: fail unless the server offers STARTTLS. */
  startTlsRequired?: boolean;
  /** mail.smtp.ssl.enable: TLS from the first byte (SMTPS). */
  sslEnable?: boolean;
  /** mail.smtp.ssl.protocols: the TLS versions allowed. */
  tlsVersions?: Array<'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'>;
  /** mail.smtp.auth: false sends no credentials even with SMTP_USERNAME. */
  auth?: boolean;
  /** mail.smtp.connectiontimeout, ms. */
  connectionTimeoutMs?: number;
  /** mail.smtp.timeout, ms: waiting for the server (greeting, replies). */
  readTimeoutMs?: number;
  /** mail.smtp.writetimeout, ms. */
  writeTimeoutMs?: number;
  /** mail.smtp.localhost: the name given in EHLO. */
  localHost?: string;
}

type Reader = (value: string, into: SmtpOptions) => string | undefined;

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

function bool(set: (o: SmtpOptions, v: boolean) => void): Reader {
  return (value, into) => {
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') return 'true or false';
    set(into, v === 'true');
    return undefined;
  };
}

function millis(set: (o: SmtpOptions, v: number) => void): Reader {
  return (value, into) => {
    if (!/^[0-9]{1,9}$/.test(value) || Number(value) < 1) {
      return 'a whole number of milliseconds, at least 1';
    }
    set(into, Number(value));
    return undefined;
  };
}

/** The properties SMTP_OPTIONS accepts, and how each is read. */
const READERS: Record<string, Reader> = {
  'mail.smtp.ssl.trust': (value, into) => {
    const hosts = value.split(/\s+/).filter(Boolean);
    if (hosts.length === 0) return '* or host names separated by spaces';
    into.trust = hosts.includes('*') ? '*' : hosts;
    return undefined;
  },
  'mail.smtp.starttls.enable': bool((o, v) => (o.startTlsEnable = v)),
  'mail.smtp.starttls.required': bool((o, v) => (o.startTlsRequired = v)),
  'mail.smtp.ssl.enable': bool((o, v) => (o.sslEnable = v)),
  'mail.smtp.ssl.protocols': (value, into) => {
    const names = value.split(/\s+/).filter(Boolean);
    const known = names.filter((n): n is (typeof TLS_VERSIONS)[number] =>
      (TLS_VERSIONS as readonly string[]).includes(n),
    );
    if (names.length === 0 || known.length !== names.length) {
      return `protocol names separated by spaces, from ${TLS_VERSIONS.join(', ')}`;
    }
    into.tlsVersions = known;
    return undefined;
  },
  'mail.smtp.auth': bool((o, v) => (o.auth = v)),
  'mail.smtp.connectiontimeout': millis((o, v) => (o.connectionTimeoutMs = v)),
  'mail.smtp.timeout': millis((o, v) => (o.readTimeoutMs = v)),
  'mail.smtp.writetimeout': millis((o, v) => (o.writeTimeoutMs = v)),
  'mail.smtp.localhost': (value, into) => {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(value)) return 'a host name';
    into.localHost = value;
    return undefined;
  },
};

/** The keys SMTP_OPTIONS accepts, for messages and documentation. */
export const SMTP_OPTION_KEYS: readonly string[] = Object.keys(READERS);

/**
 * Reads SMTP_OPTIONS; `problems` names every entry that cannot be used.
 * Keys and values are trimmed, as upstream trims them.
 */
export function parseSmtpOptions(value: string): {
  options: SmtpOptions;
  problems: string[];
} {
  const options: SmtpOptions = {};
  const problems: string[] = [];
  for (const entry of value.split(',')) {
    if (entry.trim() === '') continue;
    const parts = entry.split('=');
    if (parts.length !== 2) {
      problems.push(
        `${JSON.stringify(entry.trim())} is not of the form key=value`,
      );
      continue;
    }
    const key = parts[0]!.trim();
    const v = parts[1]!.trim();
    const reader = READERS[key];
    if (!reader) {
      problems.push(
        `${key} is not supported (supported: ${SMTP_OPTION_KEYS.join(', ')})`,
      );
      continue;
    }
    const expected = reader(v, options);
    if (expected !== undefined) {
      problems.push(`${key}=${JSON.stringify(v)}: expected ${expected}`);
    }
  }
  return {options, problems};
}

/** The SMTP settings a transport is built from (Config['smtp']). */
export interface SmtpSettings {
  host: string;
  port: number;
  enableStartTls: boolean;
  username?: string;
  options: SmtpOptions;
}

/** nodemailer's SMTP options, as far as SMTP_OPTIONS and the SMTP_* settings shape them. */
export interface SmtpTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  ignoreTLS: boolean;
  name?: string;
  tls: {
    rejectUnauthorized: boolean;
    minVersion?: (typeof TLS_VERSIONS)[number];
    maxVersion?: (typeof TLS_VERSIONS)[number];
  };
  auth?: {user: string; pass?: string};
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

/**
 * The transport options: the SMTP_* settings, then SMTP_OPTIONS over them (as
 * upstream adds its extra properties last). `timeoutMs` applies to each step
 * SMTP_OPTIONS does not bound.
 */
export function smtpTransportOptions(
  smtp: SmtpSettings,
  password: string | undefined,
  timeoutMs: number,
): SmtpTransportOptions {
  const o = smtp.options;
  const startTls = o.startTlsEnable ?? smtp.enableStartTls;
  const requireTLS = o.startTlsRequired ?? startTls;
  const trusted = o.trust === '*' || (o.trust?.includes(smtp.host) ?? false);
  const versions = [...(o.tlsVersions ?? [])].sort(
    (a, b) => TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b),
  );
  // nodemailer has one idle timer for both directions of the socket.
  const idle = [o.readTimeoutMs, o.writeTimeoutMs].filter(
    (t): t is number => t !== undefined,
  );
  return {
    host: smtp.host,
    port: smtp.port,
    secure: o.sslEnable ?? smtp.port === 465,
    requireTLS,
    ignoreTLS: !startTls && !requireTLS,
    ...(o.localHost && {name: o.localHost}),
    tls: {
      rejectUnauthorized: !trusted,
      ...(versions.length > 0 && {
        minVersion: versions[0],
        maxVersion: versions[versions.length - 1],
      }),
    },
    auth:
      smtp.username && o.auth !== false
        ? {user: smtp.username, pass: password}
        : undefined,
    connectionTimeout: o.connectionTimeoutMs ?? timeoutMs,
    greetingTimeout: o.readTimeoutMs ?? timeoutMs,
    socketTimeout: idle.length > 0 ? Math.min(...idle) : timeoutMs,
  };
}

/**
 * Configuration: every environment variable of docs/design.md §1, §3 and §4, with
 * upstream's names, aliases and defaults, parsed once per cold start.
 *
 * This is the only module that reads the environment, and it does so through
 * a parameter (`loadConfig(env = process.env)`). A bad value stops the cold
 * start with one ConfigurationError listing every bad variable, its value
 * (secrets masked) and what it expects.
 */
import {z} from 'zod';
import {ConfigurationError} from './errors';
import {compileAddressMapping} from './notifications/address-mapping';
import {parseSmtpOptions, type SmtpOptions} from './notifications/smtp-options';
import {
  compileJustificationPattern,
  EMAIL_PATTERN,
  isValidEmail,
  SCOPE_PATTERN,
} from './limits';

export const ResourceCatalog = ['AssetInventory', 'PolicyAnalyzer'] as const;
export type ResourceCatalog = (typeof ResourceCatalog)[number];

/**
 * Google's certificates for Chat's two kinds of bearer token (docs/chat.md),
 * each a JSON object of key id to PEM, as the IAP key URL serves its keys:
 * Google's OIDC ID tokens (audience: the endpoint URL), and the tokens Chat
 * signs itself (audience: the project number).
 */
export const GOOGLE_OIDC_CERTS_URL =
  'https://www.googleapis.com/oauth2/v1/certs';
export const GOOGLE_CHAT_CERTS_URL =
  'https://www.googleapis.com/service_accounts/v1/metadata/x509/chat@system.gserviceaccount.com';

/** The audience Chat's tokens carry, as CHAT_AUDIENCE names it. */
export type ChatAudience =
  {kind: 'endpointUrl'; url: string} | {kind: 'projectNumber'; number: string};

/** The Chat settings (docs/chat.md); absent when no CHAT_* variable is set. */
export interface ChatConfig {
  /** CHAT_SPACE: `spaces/<id>`, where every request's card is posted. */
  space?: string;
  /** CHAT_DIRECT_MESSAGES: a card to each reviewer the app can reach. */
  directMessages: boolean;
  /** CHAT_AUDIENCE: what the `chat` target pins; it refuses to serve without. */
  audience?: ChatAudience;
  /** CHAT_PUBLIC_KEYS_URL, else Google's for the audience's kind. */
  publicKeysUrl: string;
}

/** Google's public IAP signing keys (JSON object of key id to PEM). */
export const GOOGLE_IAP_PUBLIC_KEYS_URL =
  'https://www.gstatic.com/iap/verify/public_key';

export interface Config {
  /** `projects/<id>`, `folders/<n>` or `organizations/<n>`. */
  scope: string;
  catalog: ResourceCatalog;
  customerId?: string;
  availableProjectsQuery?: string;
  /** GOOGLE_CLOUD_PROJECT: the project the functions run in (Firestore lives there). */
  projectId?: string;
  /** PROJECT_NUMBER, else read from the metadata server when needed. */
  projectNumber?: string;
  activation: {
    /** ACTIVATION_TIMEOUT (alias ELEVATION_DURATION): the longest activation. */
    maxMinutes: number;
    /** min(60, maxMinutes): what the UI offers first. */
    defaultMinutes: number;
    /** ACTIVATION_REQUEST_TIMEOUT: how long a request waits for approval. */
    requestTimeoutMinutes: number;
    minReviewers: number;
    maxReviewers: number;
    requiredApprovals: number;
    maxRoles: number;
    /** ACTIVATION_REQUEST_MAX_PENDING: open requests one requester may have. */
    maxPendingRequests: number;
  };
  justification: {
    /** The pattern as configured. */
    pattern: string;
    /** Compiled once as `^(?:p)$` with the `u` flag: matches the whole input. */
    regex: RegExp;
    hint: string;
  };
  smtp: {
    host: string;
    port: number;
    enableStartTls: boolean;
    senderName: string;
    senderAddress?: string;
    username?: string;
    password?: string;
    /** Secret Manager version name holding the password. */
    secret?: string;
    /**
     * SMTP_ADDRESS_MAPPING: a CEL expression over `user.email` giving each
     * recipient's address (shared/notifications/address-mapping.ts); checked here.
     */
    addressMapping?: string;
    /** SMTP_OPTIONS: upstream's extra JavaMail properties, read. */
    options: SmtpOptions;
  };
  notificationTimezone: string;
  /**
   * NOTIFY_SELF_ACTIVATION: mail the user on self-activation, with these
   * addresses in copy; undefined: no mail (as upstream).
   */
  notifySelfActivation?: {cc: string[]};
  /**
   * NOTIFICATION_TOPIC as `projects/<project>/topics/<topic>` (a bare topic
   * name lives in GOOGLE_CLOUD_PROJECT); undefined: no events are published.
   */
  notificationTopic?: string;
  /** Google Chat (docs/chat.md); undefined: no Chat code is ever loaded. */
  chat?: ChatConfig;
  /** GRANT_RETENTION_DAYS: how long a grant record is kept after its end. */
  grantRetentionDays: number;
  /**
   * AUDITOR_PRINCIPALS: `user:` and `group:` members (lower-case) who may see
   * and revoke every grant and run reconciliation; empty: no auditors.
   */
  auditorPrincipals: string[];
  /**
   * BACKEND_CONNECT_TIMEOUT, BACKEND_READ_TIMEOUT, BACKEND_WRITE_TIMEOUT (set
   * in seconds): the bounds of one attempt of a Google call
   * (shared/google/edge.ts).
   */
  backend: {connectMs: number; readMs: number; writeMs: number};
  publicBaseUrl?: string;
  /** Requests per user per minute per instance; 0 turns the limit off. */
  rateLimitPerMinute: number;
  iap: {
    audience?: string;
    backendServiceId?: string;
    backendServiceName?: string;
    backendServiceRegion?: string;
    publicKeysUrl: string;
    verifyAudience: boolean;
  };
  firestore: {
    database: string;
    collectionPrefix: string;
    /** FIRESTORE_EMULATOR_HOST (`host:port`), read by the Firestore client too. */
    emulatorHost?: string;
  };
  /** Base URLs without a path (adapters append `/v1/…`); undefined: Google's. */
  endpoints: {
    cloudAsset?: string;
    cloudIdentity?: string;
    cloudResourceManager?: string;
    compute?: string;
    secretManager?: string;
    /** PUBSUB_ENDPOINT, or `http://` + PUBSUB_EMULATOR_HOST (no credentials). */
    pubsub?: string;
    chat?: string;
    /** GCE_METADATA_HOST, `host:port`. */
    metadataHost?: string;
  };
  runtime: {
    /** Cloud Run service name (K_SERVICE). */
    kService?: string;
    /** App Engine service (GAE_SERVICE). */
    gaeService?: string;
  };
}

export type Env = Record<string, string | undefined>;

/**
 * AUDITOR_PRINCIPALS: a comma-separated list of `user:<email>` and
 * `group:<email>` members; blank or unset: none. Nothing broader (a domain,
 * allUsers) can make someone an auditor.
 */
export function parseAuditorPrincipals(
  raw: string | undefined,
): {value: string[]} | {error: string} {
  if (raw === undefined || raw.trim() === '') return {value: []};
  const members: string[] = [];
  for (const item of raw.split(',')) {
    const member = item.trim();
    if (member === '') continue;
    const m = /^(user|group):(.+)$/i.exec(member);
    if (!m || !isValidEmail(m[2]!)) {
      return {
        error: `expected user:<email> or group:<email> members separated by commas, not ${JSON.stringify(member.slice(0, 100))}`,
      };
    }
    members.push(`${m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}`);
  }
  return {value: [...new Set(members)]};
}

/**
 * NOTIFY_SELF_ACTIVATION: unset, blank or `false`: no mail; `true`: mail the
 * user; a comma-separated list of addresses: mail the user with them in copy.
 */
export function parseNotifySelfActivation(
  raw: string | undefined,
): {value: {cc: string[]} | undefined} | {error: string} {
  const v = raw?.trim() ?? '';
  if (v === '' || v.toLowerCase() === 'false') return {value: undefined};
  if (v.toLowerCase() === 'true') return {value: {cc: []}};
  const cc = v.split(',').map(a => a.trim());
  const bad = cc.filter(a => !EMAIL_PATTERN.test(a));
  if (bad.length > 0) {
    return {
      error: `expected true, false or a comma-separated list of email addresses (not an address: ${bad
        .map(a => JSON.stringify(a.slice(0, 100)))
        .join(', ')})`,
    };
  }
  return {value: {cc: [...new Set(cc.map(a => a.toLowerCase()))]}};
}

const SECRET_VARIABLES = new Set(['SMTP_PASSWORD']);

// A secret name, or its resource name with or without a version.
const SECRET =
  /^(?:[A-Za-z0-9_-]{1,255}|projects\/[^/]+\/secrets\/[A-Za-z0-9_-]{1,255}(?:\/versions\/[^/]+)?)$/;

/**
 * Whether `tz` is a time zone the mail templates can format in. The first
 * Intl.DateTimeFormat of a process costs about 25 ms, so the canonical names
 * (and UTC) are looked up in a list first; an alias such as US/Pacific still
 * goes through the formatter.
 */
function isTimeZone(tz: string): boolean {
  if (tz === 'UTC' || Intl.supportedValuesOf('timeZone').includes(tz)) {
    return true;
  }
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: tz});
    return true;
  } catch {
    return false;
  }
}

/**
 * SMTP_SECRET as a version name: a bare secret name lives in the functions'
 * own project, and a secret without a version means its latest version.
 */
function secretVersionName(
  value: string | undefined,
  projectId: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('projects/')) {
    return projectId
      ? `projects/${projectId}/secrets/${value}/versions/latest`
      : undefined;
  }
  return value.includes('/versions/') ? value : `${value}/versions/latest`;
}

// A Pub/Sub topic ID (Google's rule: 3 to 255 characters, starting with a
// letter, not with "goog"), alone or in its project's resource name.
const TOPIC_ID = '(?!goog)[A-Za-z][A-Za-z0-9._~+%-]{2,254}';
const TOPIC = new RegExp(
  `^(?:${TOPIC_ID}|projects/(?:[a-z0-9.-]{1,253}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/${TOPIC_ID})$`,
);

/**
 * NOTIFICATION_TOPIC as a resource name: a bare topic name lives in the
 * functions' own project, as upstream's always did.
 */
function topicName(
  value: string | undefined,
  projectId: string | undefined,
): string | undefined {
  if (value === undefined || value.startsWith('projects/')) return value;
  return projectId ? `projects/${projectId}/topics/${value}` : undefined;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

const optionalString = z
  .string()
  .optional()
  .transform(v => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function withDefault<T extends z.ZodType<unknown, z.ZodTypeDef, string>>(
  schema: T,
  fallback: string,
) {
  return z
    .string()
    .optional()
    .transform(v => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .pipe(schema);
}

const positiveMinutes = (fallback: number) =>
  withDefault(
    z
      .string()
      .regex(/^[0-9]+$/, 'a whole number of minutes, at least 1')
      .transform(Number)
      .refine(
        n => n >= 1 && n <= 525600,
        'a whole number of minutes, from 1 to 525600',
      ),
    String(fallback),
  );

const count = (fallback: number, min: number, max: number) =>
  withDefault(
    z
      .string()
      .regex(/^[0-9]+$/, `a whole number from ${min} to ${max}`)
      .transform(Number)
      .refine(
        n => n >= min && n <= max,
        `a whole number from ${min} to ${max}`,
      ),
    String(fallback),
  );

const seconds = (fallback: number) =>
  withDefault(
    z
      .string()
      .regex(/^[0-9]+$/, 'a whole number of seconds, from 1 to 300')
      .transform(Number)
      .refine(
        n => n >= 1 && n <= 300,
        'a whole number of seconds, from 1 to 300',
      ),
    String(fallback),
  );

const bool = (fallback: boolean) =>
  withDefault(
    z
      .string()
      .transform(v => v.toLowerCase())
      .refine(v => v === 'true' || v === 'false', 'true or false')
      .transform(v => v === 'true'),
    String(fallback),
  );

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * CHAT_AUDIENCE: digits are the project number (tokens Chat signs itself),
 * an http(s) URL the endpoint URL (Google's OIDC ID tokens); an http URL
 * is only for local stand-ins and is refused on Cloud Run with the key URL.
 */
export function parseChatAudience(v: string): ChatAudience | undefined {
  if (/^[0-9]{1,20}$/.test(v)) return {kind: 'projectNumber', number: v};
  if (!isHttpUrl(v)) return undefined;
  const u = new URL(v);
  return u.search || u.hash ? undefined : {kind: 'endpointUrl', url: v};
}

/** Google's certificate URL for tokens with this kind of audience. */
export function googleChatKeysUrl(audience: ChatAudience | undefined): string {
  return audience?.kind === 'endpointUrl'
    ? GOOGLE_OIDC_CERTS_URL
    : GOOGLE_CHAT_CERTS_URL;
}

const baseUrl = optionalString.refine(v => {
  if (v === undefined) return true;
  try {
    const u = new URL(v);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      (u.pathname === '/' || u.pathname === '') &&
      !u.search &&
      !u.hash
    );
  } catch {
    return false;
  }
}, 'a base URL such as http://127.0.0.1:8085 or https://example.googleapis.com, without a path');

const hostPort = optionalString.refine(
  v => v === undefined || HOST_PORT.test(v),
  'host:port, such as 127.0.0.1:8080',
);

const email = optionalString.refine(
  v => v === undefined || EMAIL_PATTERN.test(v),
  'an email address',
);

/**
 * Settings known by more than one name, as upstream's settings are: the
 * first name is ours, the others are upstream's older names, read when the
 * first is unset.
 */
export const ALIASES: ReadonlyArray<readonly [string, ...string[]]> = [
  ['ACTIVATION_TIMEOUT', 'ELEVATION_DURATION'],
];

/**
 * The environment with each aliased setting under its first name, and the
 * name each value was read from (for messages).
 */
function resolveAliases(env: Env): {env: Env; source: Map<string, string>} {
  const resolved: Env = {...env};
  const source = new Map<string, string>();
  for (const [name, ...older] of ALIASES) {
    const from = [name, ...older].find(n => env[n] !== undefined);
    for (const n of older) delete resolved[n];
    if (from === undefined) continue;
    resolved[name] = env[from];
    source.set(name, from);
  }
  return {env: resolved, source};
}

const schema = z.object({
  GOOGLE_CLOUD_PROJECT: optionalString.refine(
    v => v === undefined || /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(v),
    'a project ID',
  ),
  RESOURCE_SCOPE: optionalString.refine(
    v => v === undefined || SCOPE_PATTERN.test(v),
    'projects/<id>, folders/<number> or organizations/<number>',
  ),
  // Any case, as upstream reads it (POLICYANALYZER, PolicyAnalyzer, …).
  RESOURCE_CATALOG: withDefault(
    z
      .string()
      .transform(
        v =>
          ResourceCatalog.find(c => c.toLowerCase() === v.toLowerCase()) ?? v,
      )
      .pipe(
        z.enum(ResourceCatalog, {
          errorMap: () => ({message: `one of ${ResourceCatalog.join(', ')}`}),
        }),
      ),
    'AssetInventory',
  ),
  RESOURCE_CUSTOMER_ID: optionalString,
  AVAILABLE_PROJECTS_QUERY: optionalString,
  ACTIVATION_TIMEOUT: positiveMinutes(120),
  ACTIVATION_REQUEST_TIMEOUT: positiveMinutes(60),
  ACTIVATION_REQUEST_MIN_REVIEWERS: count(1, 1, 100),
  ACTIVATION_REQUEST_MAX_REVIEWERS: count(10, 1, 100),
  ACTIVATION_REQUEST_REQUIRED_APPROVALS: count(1, 1, 100),
  ACTIVATION_REQUEST_MAX_ROLES: count(10, 1, 100),
  ACTIVATION_REQUEST_MAX_PENDING: count(10, 1, 1000),
  // Blank reads as unset (the default, `.*`); otherwise kept exactly as set,
  // since spaces can be part of a pattern.
  JUSTIFICATION_PATTERN: z
    .string()
    .optional()
    .transform(v => (v === undefined || v.trim() === '' ? undefined : v)),
  JUSTIFICATION_HINT: withDefault(z.string(), 'Bug or case number'),
  SMTP_HOST: withDefault(
    z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name'),
    'smtp.gmail.com',
  ),
  SMTP_PORT: count(587, 1, 65535),
  SMTP_ENABLE_STARTTLS: bool(true),
  SMTP_SENDER_NAME: withDefault(z.string(), 'JIT Access'),
  SMTP_SENDER_ADDRESS: email,
  SMTP_USERNAME: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_SECRET: optionalString.refine(
    v => v === undefined || SECRET.test(v),
    'a secret name, projects/<project>/secrets/<name> or projects/<project>/secrets/<name>/versions/<version>',
  ),
  SMTP_ADDRESS_MAPPING: optionalString,
  SMTP_OPTIONS: optionalString,
  NOTIFICATION_TIMEZONE: withDefault(
    z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin'),
    'UTC',
  ),
  NOTIFY_SELF_ACTIVATION: optionalString,
  NOTIFICATION_TOPIC: optionalString.refine(
    v => v === undefined || TOPIC.test(v),
    'a Pub/Sub topic name, or projects/<project>/topics/<topic>',
  ),
  GRANT_RETENTION_DAYS: count(400, 1, 3650),
  CHAT_SPACE: optionalString.refine(
    v => v === undefined || /^spaces\/[A-Za-z0-9_-]{1,128}$/.test(v),
    'a Chat space name such as spaces/AAAAxxxxxxx',
  ),
  CHAT_DIRECT_MESSAGES: bool(false),
  CHAT_AUDIENCE: optionalString.refine(
    v => v === undefined || parseChatAudience(v) !== undefined,
    'the project number of the Chat app (digits), or its https endpoint URL',
  ),
  CHAT_PUBLIC_KEYS_URL: optionalString.refine(
    v => v === undefined || isHttpUrl(v),
    'an http(s) URL',
  ),
  AUDITOR_PRINCIPALS: optionalString,
  BACKEND_CONNECT_TIMEOUT: seconds(5),
  BACKEND_READ_TIMEOUT: seconds(20),
  BACKEND_WRITE_TIMEOUT: seconds(5),
  PUBLIC_BASE_URL: optionalString.refine(v => {
    if (v === undefined) return true;
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        !u.search &&
        !u.hash
      );
    } catch {
      return false;
    }
  }, 'an absolute URL such as https://jit.example.com'),
  RATE_LIMIT_PER_MINUTE: count(120, 0, 1000000),
  IAP_AUDIENCE: optionalString.refine(
    v => v === undefined || v.startsWith('/projects/'),
    'an IAP audience such as /projects/<number>/global/backendServices/<id>',
  ),
  IAP_BACKEND_SERVICE_ID: optionalString.refine(
    v => v === undefined || /^[0-9]{1,20}$/.test(v),
    'the numeric ID of a backend service',
  ),
  IAP_BACKEND_SERVICE_NAME: optionalString.refine(
    v => v === undefined || /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v),
    'the name of a backend service',
  ),
  IAP_BACKEND_SERVICE_REGION: optionalString.refine(
    v => v === undefined || REGION.test(v),
    'a region such as europe-west1',
  ),
  IAP_PUBLIC_KEYS_URL: withDefault(
    z.string().refine(isHttpUrl, 'an http(s) URL'),
    GOOGLE_IAP_PUBLIC_KEYS_URL,
  ),
  IAP_VERIFY_AUDIENCE: bool(true),
  PROJECT_NUMBER: optionalString.refine(
    v => v === undefined || /^[0-9]{1,20}$/.test(v),
    'a project number (digits only)',
  ),
  FIRESTORE_DATABASE: withDefault(
    z
      .string()
      .regex(
        /^(\(default\)|[a-z][a-z0-9-]{2,62})$/,
        '(default) or a database ID',
      ),
    '(default)',
  ),
  FIRESTORE_COLLECTION_PREFIX: withDefault(
    z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, - and _ only'),
    '',
  ),
  FIRESTORE_EMULATOR_HOST: hostPort,
  CLOUDASSET_ENDPOINT: baseUrl,
  CLOUDIDENTITY_ENDPOINT: baseUrl,
  CLOUDRESOURCEMANAGER_ENDPOINT: baseUrl,
  COMPUTE_ENDPOINT: baseUrl,
  SECRETMANAGER_ENDPOINT: baseUrl,
  PUBSUB_ENDPOINT: baseUrl,
  CHAT_ENDPOINT: baseUrl,
  PUBSUB_EMULATOR_HOST: hostPort,
  GCE_METADATA_HOST: hostPort,
  K_SERVICE: optionalString,
  GAE_SERVICE: optionalString,
});

function show(name: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (SECRET_VARIABLES.has(name)) return '"****"';
  return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
}

/**
 * The key URL rule of docs/design.md §3: on Cloud Run or App Engine only Google's IAP
 * keys are accepted, since a stand-in key server there would let anyone sign
 * assertions. Returns the problem line, or undefined. loadConfig and the IAP
 * verifier (for a Config made by hand) both apply it.
 */
export function keyUrlProblem(
  publicKeysUrl: string,
  runtime: Config['runtime'],
  rule: {variable: string; google: string} = {
    variable: 'IAP_PUBLIC_KEYS_URL',
    google: GOOGLE_IAP_PUBLIC_KEYS_URL,
  },
): string | undefined {
  const variable = runtime.kService
    ? 'K_SERVICE'
    : runtime.gaeService
      ? 'GAE_SERVICE'
      : undefined;
  if (!variable || publicKeysUrl === rule.google) return undefined;
  return `${rule.variable}=${JSON.stringify(publicKeysUrl)}: expected ${rule.google} (or unset) while ${variable} is set`;
}

/** The same rule for Chat's certificate URL (docs/chat.md). */
export function chatKeyUrlProblem(
  chat: Pick<ChatConfig, 'audience' | 'publicKeysUrl'>,
  runtime: Config['runtime'],
): string | undefined {
  return keyUrlProblem(chat.publicKeysUrl, runtime, {
    variable: 'CHAT_PUBLIC_KEYS_URL',
    google: googleChatKeysUrl(chat.audience),
  });
}

/**
 * The Chat settings, or undefined when none of CHAT_SPACE,
 * CHAT_DIRECT_MESSAGES=true, CHAT_AUDIENCE and CHAT_PUBLIC_KEYS_URL is set
 * (CHAT_ENDPOINT alone is only where the API is). Bad values were named by
 * the schema already; they read as unset here.
 */
function chatConfig(v: {
  CHAT_SPACE?: string;
  CHAT_DIRECT_MESSAGES?: boolean;
  CHAT_AUDIENCE?: string;
  CHAT_PUBLIC_KEYS_URL?: string;
}): ChatConfig | undefined {
  const audience =
    v.CHAT_AUDIENCE !== undefined
      ? parseChatAudience(v.CHAT_AUDIENCE)
      : undefined;
  if (
    !v.CHAT_SPACE &&
    !v.CHAT_DIRECT_MESSAGES &&
    !audience &&
    !v.CHAT_PUBLIC_KEYS_URL
  ) {
    return undefined;
  }
  return {
    ...(v.CHAT_SPACE ? {space: v.CHAT_SPACE} : {}),
    directMessages: v.CHAT_DIRECT_MESSAGES ?? false,
    ...(audience ? {audience} : {}),
    publicKeysUrl: v.CHAT_PUBLIC_KEYS_URL ?? googleChatKeysUrl(audience),
  };
}

/**
 * Parses the environment into a Config, or throws one ConfigurationError
 * listing every problem.
 */
export function loadConfig(env: Env = process.env): Config {
  const {env: resolved, source} = resolveAliases(env);
  const problems: string[] = [];
  const problem = (name: string, expected: string) => {
    const from = source.get(name) ?? name;
    problems.push(`${from}=${show(from, env[from])}: expected ${expected}`);
  };

  // Every variable on its own, so that one bad value hides no other.
  const shape = schema.shape;
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(shape) as Array<keyof typeof shape>) {
    const parsed = shape[name].safeParse(resolved[name]);
    if (parsed.success) values[name] = parsed.data;
    else problem(name, parsed.error.issues[0]?.message ?? 'a valid value');
  }
  const v = values as Partial<z.output<typeof schema>>;

  // Upstream read the older name first, this product the newer: two values
  // that disagree would silently change a deployment's meaning.
  for (const [name, ...older] of ALIASES) {
    for (const o of older) {
      const ours = env[name]?.trim();
      const theirs = env[o]?.trim();
      if (ours && theirs && ours !== theirs) {
        problems.push(
          `${o}=${show(o, env[o])}: expected the value of ${name} (${show(name, env[name])}) or unset; JIT Access 1.x read ${o} first, this product reads ${name}: keep one`,
        );
      }
    }
  }
  const maxMinutes = v.ACTIVATION_TIMEOUT ?? 120;

  const scope =
    v.RESOURCE_SCOPE ??
    (v.GOOGLE_CLOUD_PROJECT ? `projects/${v.GOOGLE_CLOUD_PROJECT}` : undefined);
  // A bad RESOURCE_SCOPE or GOOGLE_CLOUD_PROJECT was named above already.
  if (
    scope === undefined &&
    'RESOURCE_SCOPE' in values &&
    'GOOGLE_CLOUD_PROJECT' in values
  ) {
    problems.push(
      'RESOURCE_SCOPE=unset: expected projects/<id>, folders/<number> or organizations/<number> (or set GOOGLE_CLOUD_PROJECT)',
    );
  }

  // Checks across variables, where each of their variables is valid.
  if (
    v.ACTIVATION_REQUEST_MIN_REVIEWERS !== undefined &&
    v.ACTIVATION_REQUEST_MAX_REVIEWERS !== undefined &&
    v.ACTIVATION_REQUEST_MIN_REVIEWERS > v.ACTIVATION_REQUEST_MAX_REVIEWERS
  ) {
    problems.push(
      `ACTIVATION_REQUEST_MIN_REVIEWERS=${v.ACTIVATION_REQUEST_MIN_REVIEWERS}: expected at most ACTIVATION_REQUEST_MAX_REVIEWERS (${v.ACTIVATION_REQUEST_MAX_REVIEWERS})`,
    );
  }
  if (
    v.ACTIVATION_REQUEST_REQUIRED_APPROVALS !== undefined &&
    v.ACTIVATION_REQUEST_MAX_REVIEWERS !== undefined &&
    v.ACTIVATION_REQUEST_REQUIRED_APPROVALS > v.ACTIVATION_REQUEST_MAX_REVIEWERS
  ) {
    problems.push(
      `ACTIVATION_REQUEST_REQUIRED_APPROVALS=${v.ACTIVATION_REQUEST_REQUIRED_APPROVALS}: expected at most ACTIVATION_REQUEST_MAX_REVIEWERS (${v.ACTIVATION_REQUEST_MAX_REVIEWERS})`,
    );
  }

  const pattern = v.JUSTIFICATION_PATTERN ?? '.*';
  const compiled = compileJustificationPattern(pattern);
  if ('error' in compiled) {
    problems.push(
      `JUSTIFICATION_PATTERN=${show('JUSTIFICATION_PATTERN', pattern)}: ${compiled.error}`,
    );
  }

  const smtpSecret = secretVersionName(v.SMTP_SECRET, v.GOOGLE_CLOUD_PROJECT);
  if (
    v.SMTP_SECRET !== undefined &&
    smtpSecret === undefined &&
    'GOOGLE_CLOUD_PROJECT' in values
  ) {
    problems.push(
      `SMTP_SECRET=${show('SMTP_SECRET', v.SMTP_SECRET)}: expected projects/<project>/secrets/<name>, or set GOOGLE_CLOUD_PROJECT for a bare secret name`,
    );
  }
  if (v.SMTP_PASSWORD !== undefined && v.SMTP_SECRET !== undefined) {
    problems.push(
      'SMTP_SECRET: expected either SMTP_PASSWORD or SMTP_SECRET, not both',
    );
  }

  const topic = topicName(v.NOTIFICATION_TOPIC, v.GOOGLE_CLOUD_PROJECT);
  if (
    v.NOTIFICATION_TOPIC !== undefined &&
    topic === undefined &&
    'GOOGLE_CLOUD_PROJECT' in values
  ) {
    problems.push(
      `NOTIFICATION_TOPIC=${show('NOTIFICATION_TOPIC', v.NOTIFICATION_TOPIC)}: expected projects/<project>/topics/<topic>, or set GOOGLE_CLOUD_PROJECT for a bare topic name`,
    );
  }
  if (v.PUBSUB_ENDPOINT !== undefined && v.PUBSUB_EMULATOR_HOST !== undefined) {
    problems.push(
      'PUBSUB_EMULATOR_HOST: expected either PUBSUB_ENDPOINT or PUBSUB_EMULATOR_HOST, not both',
    );
  }

  if (v.SMTP_ADDRESS_MAPPING !== undefined) {
    try {
      compileAddressMapping(v.SMTP_ADDRESS_MAPPING);
    } catch (e) {
      problems.push(
        `SMTP_ADDRESS_MAPPING=${show('SMTP_ADDRESS_MAPPING', v.SMTP_ADDRESS_MAPPING)}: expected a CEL expression over user.email that gives a string (${(e as Error).message})`,
      );
    }
  }

  const selfActivation = parseNotifySelfActivation(v.NOTIFY_SELF_ACTIVATION);
  if ('error' in selfActivation) {
    problems.push(
      `NOTIFY_SELF_ACTIVATION=${show('NOTIFY_SELF_ACTIVATION', v.NOTIFY_SELF_ACTIVATION!)}: ${selfActivation.error}`,
    );
  } else if (
    selfActivation.value !== undefined &&
    v.SMTP_SENDER_ADDRESS === undefined &&
    !problems.some(p => p.startsWith('SMTP_SENDER_ADDRESS'))
  ) {
    problems.push(
      'NOTIFY_SELF_ACTIVATION: mail needs SMTP_SENDER_ADDRESS (and the SMTP settings); set it, or unset NOTIFY_SELF_ACTIVATION',
    );
  }

  const auditors = parseAuditorPrincipals(v.AUDITOR_PRINCIPALS);
  if ('error' in auditors) {
    problems.push(
      `AUDITOR_PRINCIPALS=${show('AUDITOR_PRINCIPALS', v.AUDITOR_PRINCIPALS!)}: ${auditors.error}`,
    );
  }

  const smtpOptions = parseSmtpOptions(v.SMTP_OPTIONS ?? '');
  for (const p of smtpOptions.problems) problems.push(`SMTP_OPTIONS: ${p}`);

  if (v.IAP_PUBLIC_KEYS_URL !== undefined) {
    const keyUrl = keyUrlProblem(v.IAP_PUBLIC_KEYS_URL, {
      kService: v.K_SERVICE,
      gaeService: v.GAE_SERVICE,
    });
    if (keyUrl) problems.push(keyUrl);
  }

  const chat = chatConfig(v);
  if (chat) {
    const keyUrl = chatKeyUrlProblem(chat, {
      kService: v.K_SERVICE,
      gaeService: v.GAE_SERVICE,
    });
    if (keyUrl) problems.push(keyUrl);
    if (
      chat.audience?.kind === 'endpointUrl' &&
      chat.audience.url.startsWith('http:') &&
      (v.K_SERVICE || v.GAE_SERVICE)
    ) {
      problems.push(
        `CHAT_AUDIENCE=${show('CHAT_AUDIENCE', v.CHAT_AUDIENCE)}: expected an https URL (or the project number) on Cloud Run`,
      );
    }
  }

  if (problems.length > 0 || scope === undefined || 'error' in compiled) {
    throw new ConfigurationError(problems);
  }
  // Every variable parsed (a problem would have been listed): read them whole.
  const all = v as z.output<typeof schema>;

  return {
    scope,
    catalog: all.RESOURCE_CATALOG,
    customerId: all.RESOURCE_CUSTOMER_ID,
    availableProjectsQuery: all.AVAILABLE_PROJECTS_QUERY,
    projectId: all.GOOGLE_CLOUD_PROJECT,
    projectNumber: all.PROJECT_NUMBER,
    activation: {
      maxMinutes,
      defaultMinutes: Math.min(60, maxMinutes),
      requestTimeoutMinutes: all.ACTIVATION_REQUEST_TIMEOUT,
      minReviewers: all.ACTIVATION_REQUEST_MIN_REVIEWERS,
      maxReviewers: all.ACTIVATION_REQUEST_MAX_REVIEWERS,
      requiredApprovals: all.ACTIVATION_REQUEST_REQUIRED_APPROVALS,
      maxRoles: all.ACTIVATION_REQUEST_MAX_ROLES,
      maxPendingRequests: all.ACTIVATION_REQUEST_MAX_PENDING,
    },
    justification: {
      pattern,
      regex: compiled.regex,
      hint: all.JUSTIFICATION_HINT,
    },
    smtp: {
      host: all.SMTP_HOST,
      port: all.SMTP_PORT,
      enableStartTls: all.SMTP_ENABLE_STARTTLS,
      senderName: all.SMTP_SENDER_NAME,
      senderAddress: all.SMTP_SENDER_ADDRESS,
      username: all.SMTP_USERNAME,
      password: all.SMTP_PASSWORD,
      secret: smtpSecret,
      addressMapping: all.SMTP_ADDRESS_MAPPING,
      options: smtpOptions.options,
    },
    notificationTimezone: all.NOTIFICATION_TIMEZONE,
    notifySelfActivation:
      'value' in selfActivation ? selfActivation.value : undefined,
    notificationTopic: topic,
    ...(chat ? {chat} : {}),
    grantRetentionDays: all.GRANT_RETENTION_DAYS,
    auditorPrincipals: 'value' in auditors ? auditors.value : [],
    backend: {
      connectMs: all.BACKEND_CONNECT_TIMEOUT * 1000,
      readMs: all.BACKEND_READ_TIMEOUT * 1000,
      writeMs: all.BACKEND_WRITE_TIMEOUT * 1000,
    },
    publicBaseUrl: all.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    rateLimitPerMinute: all.RATE_LIMIT_PER_MINUTE,
    iap: {
      audience: all.IAP_AUDIENCE,
      backendServiceId: all.IAP_BACKEND_SERVICE_ID,
      backendServiceName: all.IAP_BACKEND_SERVICE_NAME,
      backendServiceRegion: all.IAP_BACKEND_SERVICE_REGION,
      publicKeysUrl: all.IAP_PUBLIC_KEYS_URL,
      verifyAudience: all.IAP_VERIFY_AUDIENCE,
    },
    firestore: {
      database: all.FIRESTORE_DATABASE,
      collectionPrefix: all.FIRESTORE_COLLECTION_PREFIX,
      emulatorHost: all.FIRESTORE_EMULATOR_HOST,
    },
    endpoints: {
      cloudAsset: all.CLOUDASSET_ENDPOINT?.replace(/\/+$/, ''),
      cloudIdentity: all.CLOUDIDENTITY_ENDPOINT?.replace(/\/+$/, ''),
      cloudResourceManager: all.CLOUDRESOURCEMANAGER_ENDPOINT?.replace(
        /\/+$/,
        '',
      ),
      compute: all.COMPUTE_ENDPOINT?.replace(/\/+$/, ''),
      secretManager: all.SECRETMANAGER_ENDPOINT?.replace(/\/+$/, ''),
      chat: all.CHAT_ENDPOINT?.replace(/\/+$/, ''),
      pubsub:
        all.PUBSUB_ENDPOINT?.replace(/\/+$/, '') ??
        (all.PUBSUB_EMULATOR_HOST
          ? `http://${all.PUBSUB_EMULATOR_HOST}`
          : undefined),
      metadataHost: all.GCE_METADATA_HOST,
    },
    runtime: {kService: all.K_SERVICE, gaeService: all.GAE_SERVICE},
  };
}

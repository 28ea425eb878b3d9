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
import {
  compileJustificationPattern,
  EMAIL_PATTERN,
  SCOPE_PATTERN,
} from './limits';

export const ResourceCatalog = ['AssetInventory', 'PolicyAnalyzer'] as const;
export type ResourceCatalog = (typeof ResourceCatalog)[number];

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
  };
  notificationTimezone: string;
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

const bool = (fallback: boolean) =>
  withDefault(
    z
      .string()
      .transform(v => v.toLowerCase())
      .refine(v => v === 'true' || v === 'false', 'true or false')
      .transform(v => v === 'true'),
    String(fallback),
  );

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

const schema = z.object({
  GOOGLE_CLOUD_PROJECT: optionalString.refine(
    v => v === undefined || /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(v),
    'a project ID',
  ),
  RESOURCE_SCOPE: optionalString.refine(
    v => v === undefined || SCOPE_PATTERN.test(v),
    'projects/<id>, folders/<number> or organizations/<number>',
  ),
  RESOURCE_CATALOG: withDefault(z.enum(ResourceCatalog), 'AssetInventory'),
  RESOURCE_CUSTOMER_ID: optionalString,
  AVAILABLE_PROJECTS_QUERY: optionalString,
  ACTIVATION_TIMEOUT: optionalString,
  ELEVATION_DURATION: optionalString,
  ACTIVATION_REQUEST_TIMEOUT: positiveMinutes(60),
  ACTIVATION_REQUEST_MIN_REVIEWERS: count(1, 1, 100),
  ACTIVATION_REQUEST_MAX_REVIEWERS: count(10, 1, 100),
  ACTIVATION_REQUEST_REQUIRED_APPROVALS: count(1, 1, 100),
  ACTIVATION_REQUEST_MAX_ROLES: count(10, 1, 100),
  JUSTIFICATION_PATTERN: z.string().optional(),
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
  NOTIFICATION_TIMEZONE: withDefault(
    z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin'),
    'UTC',
  ),
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
    z.string().refine(v => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'an http(s) URL'),
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
  ).or(z.literal('')),
  FIRESTORE_EMULATOR_HOST: hostPort,
  CLOUDASSET_ENDPOINT: baseUrl,
  CLOUDIDENTITY_ENDPOINT: baseUrl,
  CLOUDRESOURCEMANAGER_ENDPOINT: baseUrl,
  COMPUTE_ENDPOINT: baseUrl,
  SECRETMANAGER_ENDPOINT: baseUrl,
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
): string | undefined {
  const variable = runtime.kService
    ? 'K_SERVICE'
    : runtime.gaeService
      ? 'GAE_SERVICE'
      : undefined;
  if (!variable || publicKeysUrl === GOOGLE_IAP_PUBLIC_KEYS_URL)
    return undefined;
  return `IAP_PUBLIC_KEYS_URL=${JSON.stringify(publicKeysUrl)}: expected ${GOOGLE_IAP_PUBLIC_KEYS_URL} (or unset) while ${variable} is set`;
}

/**
 * Parses the environment into a Config, or throws one ConfigurationError
 * listing every problem.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      if (seen.has(name)) continue;
      seen.add(name);
      problems.push(
        `${name}=${show(name, env[name])}: expected ${issue.message}`,
      );
    }
    throw new ConfigurationError(problems);
  }
  const v = parsed.data;

  // ACTIVATION_TIMEOUT, or its upstream alias ELEVATION_DURATION.
  let maxMinutes = 120;
  const timeoutName =
    v.ACTIVATION_TIMEOUT !== undefined
      ? 'ACTIVATION_TIMEOUT'
      : 'ELEVATION_DURATION';
  const timeoutValue = v.ACTIVATION_TIMEOUT ?? v.ELEVATION_DURATION;
  if (timeoutValue !== undefined) {
    const n = /^[0-9]+$/.test(timeoutValue) ? Number(timeoutValue) : NaN;
    if (!(n >= 1 && n <= 525600)) {
      problems.push(
        `${timeoutName}=${show(timeoutName, timeoutValue)}: expected a whole number of minutes, from 1 to 525600`,
      );
    } else {
      maxMinutes = n;
    }
  }

  const scope =
    v.RESOURCE_SCOPE ??
    (v.GOOGLE_CLOUD_PROJECT ? `projects/${v.GOOGLE_CLOUD_PROJECT}` : undefined);
  if (scope === undefined) {
    problems.push(
      'RESOURCE_SCOPE=unset: expected projects/<id>, folders/<number> or organizations/<number> (or set GOOGLE_CLOUD_PROJECT)',
    );
  }

  if (v.ACTIVATION_REQUEST_MIN_REVIEWERS > v.ACTIVATION_REQUEST_MAX_REVIEWERS) {
    problems.push(
      `ACTIVATION_REQUEST_MIN_REVIEWERS=${v.ACTIVATION_REQUEST_MIN_REVIEWERS}: expected at most ACTIVATION_REQUEST_MAX_REVIEWERS (${v.ACTIVATION_REQUEST_MAX_REVIEWERS})`,
    );
  }
  if (
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
  if (v.SMTP_SECRET !== undefined && smtpSecret === undefined) {
    problems.push(
      `SMTP_SECRET=${show('SMTP_SECRET', v.SMTP_SECRET)}: expected projects/<project>/secrets/<name>, or set GOOGLE_CLOUD_PROJECT for a bare secret name`,
    );
  }
  if (v.SMTP_PASSWORD !== undefined && v.SMTP_SECRET !== undefined) {
    problems.push(
      'SMTP_SECRET: expected either SMTP_PASSWORD or SMTP_SECRET, not both',
    );
  }

  const keyUrl = keyUrlProblem(v.IAP_PUBLIC_KEYS_URL, {
    kService: v.K_SERVICE,
    gaeService: v.GAE_SERVICE,
  });
  if (keyUrl) problems.push(keyUrl);

  if (problems.length > 0 || scope === undefined || 'error' in compiled) {
    throw new ConfigurationError(problems);
  }

  return {
    scope,
    catalog: v.RESOURCE_CATALOG,
    customerId: v.RESOURCE_CUSTOMER_ID,
    availableProjectsQuery: v.AVAILABLE_PROJECTS_QUERY,
    projectId: v.GOOGLE_CLOUD_PROJECT,
    projectNumber: v.PROJECT_NUMBER,
    activation: {
      maxMinutes,
      defaultMinutes: Math.min(60, maxMinutes),
      requestTimeoutMinutes: v.ACTIVATION_REQUEST_TIMEOUT,
      minReviewers: v.ACTIVATION_REQUEST_MIN_REVIEWERS,
      maxReviewers: v.ACTIVATION_REQUEST_MAX_REVIEWERS,
      requiredApprovals: v.ACTIVATION_REQUEST_REQUIRED_APPROVALS,
      maxRoles: v.ACTIVATION_REQUEST_MAX_ROLES,
    },
    justification: {pattern, regex: compiled.regex, hint: v.JUSTIFICATION_HINT},
    smtp: {
      host: v.SMTP_HOST,
      port: v.SMTP_PORT,
      enableStartTls: v.SMTP_ENABLE_STARTTLS,
      senderName: v.SMTP_SENDER_NAME,
      senderAddress: v.SMTP_SENDER_ADDRESS,
      username: v.SMTP_USERNAME,
      password: v.SMTP_PASSWORD,
      secret: smtpSecret,
    },
    notificationTimezone: v.NOTIFICATION_TIMEZONE,
    publicBaseUrl: v.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    iap: {
      audience: v.IAP_AUDIENCE,
      backendServiceId: v.IAP_BACKEND_SERVICE_ID,
      backendServiceName: v.IAP_BACKEND_SERVICE_NAME,
      backendServiceRegion: v.IAP_BACKEND_SERVICE_REGION,
      publicKeysUrl: v.IAP_PUBLIC_KEYS_URL,
      verifyAudience: v.IAP_VERIFY_AUDIENCE,
    },
    firestore: {
      database: v.FIRESTORE_DATABASE,
      collectionPrefix: v.FIRESTORE_COLLECTION_PREFIX,
      emulatorHost: v.FIRESTORE_EMULATOR_HOST,
    },
    endpoints: {
      cloudAsset: v.CLOUDASSET_ENDPOINT?.replace(/\/+$/, ''),
      cloudIdentity: v.CLOUDIDENTITY_ENDPOINT?.replace(/\/+$/, ''),
      cloudResourceManager: v.CLOUDRESOURCEMANAGER_ENDPOINT?.replace(
        /\/+$/,
        '',
      ),
      compute: v.COMPUTE_ENDPOINT?.replace(/\/+$/, ''),
      secretManager: v.SECRETMANAGER_ENDPOINT?.replace(/\/+$/, ''),
      metadataHost: v.GCE_METADATA_HOST,
    },
    runtime: {kService: v.K_SERVICE, gaeService: v.GAE_SERVICE},
  };
}

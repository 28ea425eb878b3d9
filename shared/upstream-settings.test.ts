/**
 * No setting of JIT Access 1.8.1 is silently ignored: each of its variables
 * (test/fixtures/jit-access-1.8.1.json) either changes the configuration or
 * stops the cold start with a message naming it. And where upstream has a
 * default, ours is the same, unless docs/configuration.md marks it as
 * differing.
 */
import {loadUpstreamFacts} from '../test/support/upstream';
import {loadConfig, type Config} from './config';
import {ConfigurationError} from './errors';

const BASE = {GOOGLE_CLOUD_PROJECT: 'jit-test-project'};

/** The configuration as comparable text (a RegExp shown by its source). */
function shown(config: Config): string {
  return JSON.stringify(config, (_key, value: unknown) =>
    value instanceof RegExp ? value.source : value,
  );
}

type Outcome = {honoured: true} | {refused: string};

function outcome(name: string, value: string): Outcome {
  try {
    const changed = shown(loadConfig({...BASE, [name]: value}));
    if (changed !== shown(loadConfig(BASE))) return {honoured: true};
    return {refused: 'ignored: the configuration is the same without it'};
  } catch (e) {
    if (e instanceof ConfigurationError && e.message.includes(name)) {
      return {refused: e.message};
    }
    throw e;
  }
}

/** Defaults that differ on purpose (docs/configuration.md, **(differs)**). */
const DIFFERING_DEFAULTS = new Set(['RESOURCE_CATALOG']);

const {list} = loadUpstreamFacts().variables;

describe('JIT Access 1.8.1 settings', () => {
  it('lists every variable upstream reads', () => {
    expect(list.map(v => v.name).sort()).toEqual(
      [
        'ACTIVATION_REQUEST_MAX_REVIEWERS',
        'ACTIVATION_REQUEST_MAX_ROLES',
        'ACTIVATION_REQUEST_MIN_REVIEWERS',
        'ACTIVATION_REQUEST_TIMEOUT',
        'ACTIVATION_TIMEOUT',
        'AVAILABLE_PROJECTS_QUERY',
        'BACKEND_CONNECT_TIMEOUT',
        'BACKEND_READ_TIMEOUT',
        'BACKEND_WRITE_TIMEOUT',
        'ELEVATION_DURATION',
        'GAE_SERVICE',
        'GOOGLE_CLOUD_PROJECT',
        'IAP_BACKEND_SERVICE_ID',
        'IAP_VERIFY_AUDIENCE',
        'JUSTIFICATION_HINT',
        'JUSTIFICATION_PATTERN',
        'K_SERVICE',
        'NOTIFICATION_TIMEZONE',
        'NOTIFICATION_TOPIC',
        'RESOURCE_CATALOG',
        'RESOURCE_CUSTOMER_ID',
        'RESOURCE_SCOPE',
        'SMTP_ADDRESS_MAPPING',
        'SMTP_ENABLE_STARTTLS',
        'SMTP_HOST',
        'SMTP_OPTIONS',
        'SMTP_PASSWORD',
        'SMTP_PORT',
        'SMTP_SECRET',
        'SMTP_SENDER_ADDRESS',
        'SMTP_SENDER_NAME',
        'SMTP_USERNAME',
      ].sort(),
    );
  });

  // Every one is honoured today; a variable this product stops honouring must
  // be refused with the reason and what to use instead, and listed here.
  it.each(list)('honours $name=$example', ({name, example}) => {
    expect(outcome(name, example)).toEqual({honoured: true});
  });

  const defaults = list.filter(
    v =>
      v.default !== null &&
      !v.default.includes(' ') &&
      !DIFFERING_DEFAULTS.has(v.name),
  );
  it.each(defaults)("has upstream's default for $name", v => {
    const value = v.default!.replace(
      '$GOOGLE_CLOUD_PROJECT',
      BASE.GOOGLE_CLOUD_PROJECT,
    );
    expect(shown(loadConfig({...BASE, [v.name]: value}))).toBe(
      shown(loadConfig(BASE)),
    );
  });

  it('documents the default that differs', () => {
    expect(DIFFERING_DEFAULTS).toEqual(new Set(['RESOURCE_CATALOG']));
    expect(loadConfig(BASE).catalog).toBe('AssetInventory');
  });
});

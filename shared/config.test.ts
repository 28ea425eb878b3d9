import {Env, loadConfig} from './config';
import {compileJustificationPattern} from './limits';
import {ConfigurationError} from './errors';

function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
  it('applies upstream defaults', () => {
    const c = loadConfig({GOOGLE_CLOUD_PROJECT: 'my-project'});
    expect(c.scope).toBe('projects/my-project');
    expect(c.catalog).toBe('AssetInventory');
    expect(c.activation).toEqual({
      maxMinutes: 120,
      defaultMinutes: 60,
      requestTimeoutMinutes: 60,
      minReviewers: 1,
      maxReviewers: 10,
      requiredApprovals: 1,
      maxRoles: 10,
      maxPendingRequests: 10,
    });
    expect(c.justification.pattern).toBe('.*');
    expect(c.justification.hint).toBe('Bug or case number');
    expect(c.iap.publicKeysUrl).toBe(
      'https://www.gstatic.com/iap/verify/public_key',
    );
    expect(c.iap.verifyAudience).toBe(true);
    expect(c.firestore).toEqual({
      database: '(default)',
      collectionPrefix: '',
      emulatorHost: undefined,
    });
    expect(c.rateLimitPerMinute).toBe(120);
    expect(c.notificationTimezone).toBe('UTC');
  });

  it('accepts the upstream alias ELEVATION_DURATION', () => {
    const c = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      ELEVATION_DURATION: '30',
    });
    expect(c.activation.maxMinutes).toBe(30);
    expect(c.activation.defaultMinutes).toBe(30);
  });

  it('accepts ACTIVATION_TIMEOUT beside its alias when they agree', () => {
    const c = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      ELEVATION_DURATION: '240',
      ACTIVATION_TIMEOUT: '240',
    });
    expect(c.activation.maxMinutes).toBe(240);
    expect(c.activation.defaultMinutes).toBe(60);
  });

  it('refuses ACTIVATION_TIMEOUT and ELEVATION_DURATION that disagree (upstream read ELEVATION_DURATION first)', () => {
    expect(() =>
      loadConfig({
        GOOGLE_CLOUD_PROJECT: 'my-project',
        ELEVATION_DURATION: '30',
        ACTIVATION_TIMEOUT: '240',
      }),
    ).toThrow(
      'ELEVATION_DURATION="30": expected the value of ACTIVATION_TIMEOUT ("240") or unset; JIT Access 1.x read ELEVATION_DURATION first, this product reads ACTIVATION_TIMEOUT: keep one',
    );
  });

  it.each(['POLICYANALYZER', 'policyanalyzer', 'PolicyAnalyzer'])(
    'reads RESOURCE_CATALOG=%s in any case, as upstream does',
    value => {
      expect(
        loadConfig({
          GOOGLE_CLOUD_PROJECT: 'my-project',
          RESOURCE_CATALOG: value,
        }).catalog,
      ).toBe('PolicyAnalyzer');
    },
  );

  it.each([
    ['folders/123', 'folders/123'],
    ['organizations/456', 'organizations/456'],
    ['projects/other-project', 'projects/other-project'],
  ])('accepts RESOURCE_SCOPE %s', (scope, expected) => {
    expect(loadConfig({RESOURCE_SCOPE: scope}).scope).toBe(expected);
  });

  it('trims a trailing slash from endpoint URLs', () => {
    const c = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      CLOUDASSET_ENDPOINT: 'http://127.0.0.1:9000/',
    });
    expect(c.endpoints.cloudAsset).toBe('http://127.0.0.1:9000');
  });

  it.each<[string, Env, RegExp]>([
    [
      'a scope of the wrong form',
      {RESOURCE_SCOPE: 'project/x'},
      /^RESOURCE_SCOPE="project\/x": expected projects\/<id>/,
    ],
    ['no scope and no project', {}, /^RESOURCE_SCOPE=unset/],
    [
      'an unknown catalog',
      {RESOURCE_SCOPE: 'folders/1', RESOURCE_CATALOG: 'Foo'},
      /^RESOURCE_CATALOG="Foo"/,
    ],
    [
      'zero minutes',
      {RESOURCE_SCOPE: 'folders/1', ACTIVATION_TIMEOUT: '0'},
      /^ACTIVATION_TIMEOUT="0": expected a whole number of minutes/,
    ],
    [
      'minutes with a unit',
      {RESOURCE_SCOPE: 'folders/1', ELEVATION_DURATION: '2h'},
      /^ELEVATION_DURATION="2h"/,
    ],
    [
      'a fractional request timeout',
      {RESOURCE_SCOPE: 'folders/1', ACTIVATION_REQUEST_TIMEOUT: '1.5'},
      /^ACTIVATION_REQUEST_TIMEOUT="1.5"/,
    ],
    [
      'more minimum than maximum reviewers',
      {
        RESOURCE_SCOPE: 'folders/1',
        ACTIVATION_REQUEST_MIN_REVIEWERS: '4',
        ACTIVATION_REQUEST_MAX_REVIEWERS: '3',
      },
      /^ACTIVATION_REQUEST_MIN_REVIEWERS=4: expected at most/,
    ],
    [
      'more approvals than reviewers',
      {
        RESOURCE_SCOPE: 'folders/1',
        ACTIVATION_REQUEST_REQUIRED_APPROVALS: '11',
      },
      /^ACTIVATION_REQUEST_REQUIRED_APPROVALS=11/,
    ],
    [
      'a Java possessive quantifier',
      {RESOURCE_SCOPE: 'folders/1', JUSTIFICATION_PATTERN: 'b/\\d++'},
      /^JUSTIFICATION_PATTERN=.*possessive quantifier/,
    ],
    [
      'a Java inline flag',
      {RESOURCE_SCOPE: 'folders/1', JUSTIFICATION_PATTERN: '(?i)bug'},
      /^JUSTIFICATION_PATTERN=.*inline flag/,
    ],
    [
      'a Java \\p{Alpha} class',
      {RESOURCE_SCOPE: 'folders/1', JUSTIFICATION_PATTERN: '\\p{Alpha}+'},
      /^JUSTIFICATION_PATTERN=.*Java character class/,
    ],
    [
      'a Java class intersection',
      {RESOURCE_SCOPE: 'folders/1', JUSTIFICATION_PATTERN: '[a-z&&[^b]]+'},
      /^JUSTIFICATION_PATTERN=.*intersection/,
    ],
    [
      'an invalid pattern',
      {RESOURCE_SCOPE: 'folders/1', JUSTIFICATION_PATTERN: '(unclosed'},
      /^JUSTIFICATION_PATTERN=.*not a valid regular expression/,
    ],
    [
      'a bad email',
      {RESOURCE_SCOPE: 'folders/1', SMTP_SENDER_ADDRESS: 'not-an-email'},
      /^SMTP_SENDER_ADDRESS=/,
    ],
    [
      'an endpoint with a path',
      {
        RESOURCE_SCOPE: 'folders/1',
        COMPUTE_ENDPOINT: 'http://127.0.0.1:1/compute/v1',
      },
      /^COMPUTE_ENDPOINT=.*without a path/,
    ],
    [
      'a metadata host with a scheme',
      {RESOURCE_SCOPE: 'folders/1', GCE_METADATA_HOST: 'http://127.0.0.1:1'},
      /^GCE_METADATA_HOST=.*host:port/,
    ],
    [
      'an emulator host without a port',
      {RESOURCE_SCOPE: 'folders/1', FIRESTORE_EMULATOR_HOST: 'localhost'},
      /^FIRESTORE_EMULATOR_HOST=/,
    ],
    [
      'a non-boolean IAP_VERIFY_AUDIENCE',
      {RESOURCE_SCOPE: 'folders/1', IAP_VERIFY_AUDIENCE: 'no'},
      /^IAP_VERIFY_AUDIENCE="no": expected true or false/,
    ],
    [
      'a non-numeric backend service ID',
      {RESOURCE_SCOPE: 'folders/1', IAP_BACKEND_SERVICE_ID: 'jit-backend'},
      /^IAP_BACKEND_SERVICE_ID=/,
    ],
    [
      'an unknown time zone',
      {RESOURCE_SCOPE: 'folders/1', NOTIFICATION_TIMEZONE: 'Mars/Base'},
      /^NOTIFICATION_TIMEZONE=/,
    ],
    [
      'a negative rate limit',
      {RESOURCE_SCOPE: 'folders/1', RATE_LIMIT_PER_MINUTE: '-1'},
      /^RATE_LIMIT_PER_MINUTE=/,
    ],
    [
      'both a password and a secret',
      {
        RESOURCE_SCOPE: 'folders/1',
        SMTP_PASSWORD: 'x',
        SMTP_SECRET: 'projects/p/secrets/s/versions/1',
      },
      /^SMTP_SECRET: expected either/,
    ],
    [
      'a foreign IAP key URL on Cloud Run',
      {
        RESOURCE_SCOPE: 'folders/1',
        K_SERVICE: 'jit-access',
        IAP_PUBLIC_KEYS_URL: 'http://127.0.0.1:9/keys',
      },
      /^IAP_PUBLIC_KEYS_URL=.*while K_SERVICE is set$/,
    ],
    [
      'a foreign IAP key URL on App Engine',
      {
        RESOURCE_SCOPE: 'folders/1',
        GAE_SERVICE: 'default',
        IAP_PUBLIC_KEYS_URL: 'https://keys.example.com/iap',
      },
      /^IAP_PUBLIC_KEYS_URL=.*while GAE_SERVICE is set$/,
    ],
  ])('refuses %s', (_name, env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('lists every bad variable in one message, whichever check finds it', () => {
    const problems = problemsOf({
      RESOURCE_SCOPE: 'bad',
      SMTP_PORT: 'abc',
      ACTIVATION_TIMEOUT: '0',
      JUSTIFICATION_PATTERN: 'a++',
      ACTIVATION_REQUEST_MIN_REVIEWERS: '5',
      ACTIVATION_REQUEST_MAX_REVIEWERS: '2',
      K_SERVICE: 'jit',
      IAP_PUBLIC_KEYS_URL: 'http://127.0.0.1:9/keys',
    });
    expect(problems.map(p => p.split('=')[0]).sort()).toEqual(
      [
        'RESOURCE_SCOPE',
        'SMTP_PORT',
        'ACTIVATION_TIMEOUT',
        'JUSTIFICATION_PATTERN',
        'ACTIVATION_REQUEST_MIN_REVIEWERS',
        'IAP_PUBLIC_KEYS_URL',
      ].sort(),
    );
  });

  it('names both variables of SMTP_PORT=abc ACTIVATION_TIMEOUT=x', () => {
    expect(
      problemsOf({
        GOOGLE_CLOUD_PROJECT: 'my-project',
        SMTP_PORT: 'abc',
        ACTIVATION_TIMEOUT: 'x',
      }),
    ).toEqual([
      'ACTIVATION_TIMEOUT="x": expected a whole number of minutes, at least 1',
      'SMTP_PORT="abc": expected a whole number from 1 to 65535',
    ]);
  });

  it('names the alias that was given, among the other problems', () => {
    const problems = problemsOf({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      ELEVATION_DURATION: '2h',
      RESOURCE_CATALOG: 'Foo',
    });
    expect(problems).toEqual([
      'RESOURCE_CATALOG="Foo": expected one of AssetInventory, PolicyAnalyzer',
      'ELEVATION_DURATION="2h": expected a whole number of minutes, at least 1',
    ]);
  });

  it('skips a check across variables when one of them is already bad', () => {
    expect(
      problemsOf({
        GOOGLE_CLOUD_PROJECT: 'my-project',
        ACTIVATION_REQUEST_MIN_REVIEWERS: 'x',
        ACTIVATION_REQUEST_MAX_REVIEWERS: '2',
      }),
    ).toEqual([
      'ACTIVATION_REQUEST_MIN_REVIEWERS="x": expected a whole number from 1 to 100',
    ]);
  });

  it("writes every problem as a sentence, never in zod's words", () => {
    const problems = problemsOf({
      GOOGLE_CLOUD_PROJECT: 'BAD',
      RESOURCE_CATALOG: 'Foo',
      SMTP_PORT: '-1',
      SMTP_ENABLE_STARTTLS: 'yes',
      FIRESTORE_COLLECTION_PREFIX: 'a/b',
      FIRESTORE_DATABASE: 'Bad_DB',
      NOTIFICATION_TIMEZONE: 'Mars/Base',
      PUBLIC_BASE_URL: 'nope',
      COMPUTE_ENDPOINT: 'ftp://x',
      GCE_METADATA_HOST: 'host',
    });
    expect(problems).toHaveLength(10);
    for (const p of problems) {
      expect(p).toMatch(/^[A-Z_]+=(".*"|unset): expected [a-z0-9(/]/);
      expect(p).not.toMatch(/Invalid|Expected|Required|received/);
    }
  });

  it('reads a blank JUSTIFICATION_PATTERN as unset, and keeps spaces in a set one', () => {
    const blank = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      JUSTIFICATION_PATTERN: '  ',
    });
    expect(blank.justification.pattern).toBe('.*');
    expect(blank.justification.regex.test('b/1')).toBe(true);
    const spaced = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      JUSTIFICATION_PATTERN: 'a b',
    });
    expect(spaced.justification.regex.test('a b')).toBe(true);
  });

  it('masks the SMTP password in errors', () => {
    try {
      loadConfig({RESOURCE_SCOPE: 'bad', SMTP_PASSWORD: 'hunter2'});
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
    expect(() =>
      loadConfig({RESOURCE_SCOPE: 'bad', SMTP_PASSWORD: 'hunter2'}),
    ).toThrow(ConfigurationError);
  });
});

describe('NOTIFICATION_TIMEZONE', () => {
  // Canonical names are found in Intl's list; an alias (US/Pacific,
  // Etc/GMT+5) is not in it and takes the formatter's path.
  it.each([
    'UTC',
    'Europe/Berlin',
    'America/Los_Angeles',
    'US/Pacific',
    'Etc/GMT+5',
  ])('accepts %s', tz => {
    const c = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      NOTIFICATION_TIMEZONE: tz,
    });
    expect(c.notificationTimezone).toBe(tz);
  });

  it.each(['Mars/Base', 'Europe/Berlinn', 'utc+1', 'GMT+25'])(
    'refuses %j',
    tz => {
      expect(
        problemsOf({
          GOOGLE_CLOUD_PROJECT: 'my-project',
          NOTIFICATION_TIMEZONE: tz,
        }),
      ).toEqual([
        expect.stringMatching(/^NOTIFICATION_TIMEZONE=.*IANA time zone/),
      ]);
    },
  );
});

describe('compileJustificationPattern', () => {
  it('matches the whole input only', () => {
    const c = compileJustificationPattern('b/\\d+');
    if ('error' in c) throw new Error(c.error);
    expect(c.regex.test('b/123')).toBe(true);
    expect(c.regex.test('see b/123')).toBe(false);
    expect(c.regex.test('b/123 ')).toBe(false);
  });

  it('keeps an alternation inside the anchors', () => {
    const c = compileJustificationPattern('a|b');
    if ('error' in c) throw new Error(c.error);
    expect(c.regex.test('ab')).toBe(false);
    expect(c.regex.test('b')).toBe(true);
  });
});

describe('compileJustificationPattern on escapes', () => {
  it.each(['\\++', 'b/\\d+', '\\{1\\}+', '\\p{L}+'])('accepts %s', p => {
    expect(compileJustificationPattern(p)).not.toHaveProperty('error');
  });
});

describe('SMTP_SECRET', () => {
  it.each([
    [
      'smtp-password',
      'projects/my-project/secrets/smtp-password/versions/latest',
    ],
    [
      'projects/other/secrets/smtp',
      'projects/other/secrets/smtp/versions/latest',
    ],
    [
      'projects/other/secrets/smtp/versions/3',
      'projects/other/secrets/smtp/versions/3',
    ],
  ])('reads %s as the version %s', (value, expected) => {
    const c = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      SMTP_SECRET: value,
    });
    expect(c.smtp.secret).toBe(expected);
  });

  it('needs GOOGLE_CLOUD_PROJECT for a bare secret name', () => {
    expect(() =>
      loadConfig({RESOURCE_SCOPE: 'folders/1', SMTP_SECRET: 'smtp'}),
    ).toThrow(
      /SMTP_SECRET="smtp": expected projects\/<project>\/secrets\/<name>, or set GOOGLE_CLOUD_PROJECT/,
    );
  });

  it('refuses a malformed secret', () => {
    expect(() =>
      loadConfig({
        GOOGLE_CLOUD_PROJECT: 'my-project',
        SMTP_SECRET: 'projects/p/secrets/',
      }),
    ).toThrow(/SMTP_SECRET=/);
  });

  describe('NOTIFY_SELF_ACTIVATION', () => {
    const MAIL = {
      GOOGLE_CLOUD_PROJECT: 'my-project',
      SMTP_SENDER_ADDRESS: 'jit@example.com',
    };

    it('sends no self-activation mail unless set (as upstream), nor when blank or false', () => {
      expect(loadConfig(MAIL).notifySelfActivation).toBeUndefined();
      for (const off of ['', ' ', 'false', 'FALSE']) {
        expect(
          loadConfig({...MAIL, NOTIFY_SELF_ACTIVATION: off})
            .notifySelfActivation,
        ).toBeUndefined();
      }
    });

    it('mails the user on true, and copies a list of addresses', () => {
      expect(
        loadConfig({...MAIL, NOTIFY_SELF_ACTIVATION: 'true'})
          .notifySelfActivation,
      ).toEqual({cc: []});
      expect(
        loadConfig({
          ...MAIL,
          NOTIFY_SELF_ACTIVATION:
            ' Security@example.com, audit@example.com,security@example.com',
        }).notifySelfActivation,
      ).toEqual({cc: ['security@example.com', 'audit@example.com']});
    });

    it('refuses what is not an address, naming it', () => {
      expect(
        problemsOf({
          ...MAIL,
          NOTIFY_SELF_ACTIVATION: 'security@example.com, yes, ',
        }),
      ).toEqual([
        expect.stringMatching(
          /^NOTIFY_SELF_ACTIVATION=.*not an address: "yes", ""/,
        ),
      ]);
    });

    it('refuses it without SMTP_SENDER_ADDRESS, since no mail could go', () => {
      expect(
        problemsOf({
          GOOGLE_CLOUD_PROJECT: 'my-project',
          NOTIFY_SELF_ACTIVATION: 'true',
        }),
      ).toEqual([
        expect.stringMatching(/^NOTIFY_SELF_ACTIVATION: .*SMTP_SENDER_ADDRESS/),
      ]);
    });
  });
});

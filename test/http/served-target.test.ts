/**
 * The compiled `app` target in a child process, as functions-framework
 * serves it, and deliberately without NODE_ENV=production: what a caller
 * sees when the framework itself refuses a request (the body parser, the
 * path decoder), and what the cold start logs about the configuration.
 *
 * Needs the compiled code (`npm test` builds first; else `npm run build`).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  REPO_ROOT,
  startTarget,
  type RunningTarget,
} from '../../bench/lib/child';

const PASSWORD = 'hunter2-not-for-logs';
let withPassword: RunningTarget;
let withoutPassword: RunningTarget;

const start = (extra: Record<string, string>) =>
  startTarget({
    source: 'build/functions/index.js',
    target: 'app',
    env: {
      GOOGLE_CLOUD_PROJECT: 'jit-host',
      METADATA_SERVER_DETECTION: 'none',
      ...extra,
    },
  });

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'build/functions/index.js'))) {
    throw new Error('build/ is missing: run `npm run build` first');
  }
  [withPassword, withoutPassword] = await Promise.all([
    start({SMTP_USERNAME: 'mailer', SMTP_PASSWORD: PASSWORD}),
    start({}),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([withPassword?.stop(), withoutPassword?.stop()]);
});

/** The child's stdout and stderr, as log entries where they are JSON. */
function entries(target: RunningTarget): Array<Record<string, unknown>> {
  return target
    .output()
    .split('\n')
    .filter(line => line.startsWith('{'))
    .map(line => JSON.parse(line) as Record<string, unknown>);
}

describe('requests the framework refuses before our routes run', () => {
  it.each<[string, string, RequestInit, string]>([
    [
      'a malformed JSON body',
      '/api/activate',
      {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-JIT-Access': '1'},
        body: '{"roles": [',
      },
      'The body is not valid JSON',
    ],
    [
      'a malformed path escape',
      '/api/requests/%E0%A4%A',
      {method: 'GET'},
      'The path is not valid',
    ],
  ])(
    'answers %s with our error JSON, no stack trace and no HTML',
    async (_name, urlPath, init, message) => {
      const res = await fetch(`${withPassword.url}${urlPath}`, init);
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe(
        'application/json; charset=utf-8',
      );
      expect(JSON.parse(text)).toEqual({
        error: {code: 400, status: 'INVALID_ARGUMENT', message},
      });
      // Nor does the stack reach the logs as unstructured text.
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(withPassword.output()).not.toMatch(/\n\s+at /);
    },
  );
});

describe('the cold start', () => {
  it('warns once that SMTP_PASSWORD is readable, and names SMTP_SECRET', () => {
    const warnings = entries(withPassword).filter(
      e =>
        (e['logging.googleapis.com/labels'] as {event?: string} | undefined)
          ?.event === 'config.plaintextSecret',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!['severity']).toBe('WARNING');
    expect(warnings[0]!['message']).toContain('SMTP_SECRET');
    expect(withPassword.output()).not.toContain(PASSWORD);
  });

  it('says nothing of secrets when SMTP_PASSWORD is unset', () => {
    expect(withoutPassword.output()).not.toContain('config.plaintextSecret');
  });
});

/**
 * Without CHAT_* settings nothing changes and no Chat code is loaded: the
 * compiled composition root (functions/deps.ts) in a child process builds
 * the approvals and reconciliation, and reports which of the Chat modules
 * Node loaded. With CHAT_SPACE set the same script loads them, so the check
 * can tell the two apart.
 *
 * Needs the compiled code (`npm test` builds first; else `npm run build`).
 */
import {execFileSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

const SCRIPT = `
const {loadConfig} = require('./build/shared/config');
const {makeServices} = require('./build/functions/deps');
const {makeLogger} = require('./build/shared/log');
(async () => {
  const services = makeServices(loadConfig(process.env), makeLogger(() => {}));
  await services.approvals();
  await services.reconciler();
  const loaded = Object.keys(require.cache)
    .map(f => require('path').relative(process.cwd(), f))
    .filter(f => /^build[\\\\/]shared[\\\\/](chat[\\\\/]|google[\\\\/]chat)/.test(f));
  process.stdout.write(JSON.stringify(loaded.sort()));
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
`;

function chatModulesLoaded(extra: Record<string, string>): string[] {
  const out = execFileSync(process.execPath, ['-e', SCRIPT], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      METADATA_SERVER_DETECTION: 'none',
      GOOGLE_CLOUD_PROJECT: 'isolation-project',
      PUBLIC_BASE_URL: 'https://jit.example.com',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
      ...extra,
    },
    timeout: 30_000,
  });
  return JSON.parse(out.toString('utf8')) as string[];
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build/functions/deps.js'))) {
    throw new Error(
      'Run `npm run build` first: this test runs the compiled code',
    );
  }
});

it('loads no Chat module without CHAT_* settings', () => {
  expect(chatModulesLoaded({})).toEqual([]);
});

it('loads the card notifier and the Chat API with CHAT_SPACE', () => {
  expect(chatModulesLoaded({CHAT_SPACE: 'spaces/AAAA'})).toEqual(
    expect.arrayContaining([
      path.join('build', 'shared', 'chat', 'notifier.js'),
      path.join('build', 'shared', 'google', 'chat.js'),
    ]),
  );
});

/**
 * The sandbox's numbers: time from starting `npm start`'s program
 * (build/sandbox/start.js; the build itself excluded) to the first page the
 * functions serve to a signed-in user, the time Ctrl-C takes to stop
 * everything, and the bytes the UI transfers on its first load (target:
 * under 100 KB), measured in Chromium when it is installed, else by fetching
 * the page and its assets with gzip accepted.
 */
import {spawn} from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import {performance} from 'perf_hooks';
import {chromiumUnavailable, launchChromium} from '../sandbox/chromium';
import {freePort} from '../sandbox/firestore-emulator';
import {packageRoot} from '../sandbox/functions-child';
import type {BenchRow, BenchSection} from './lib/section';

const FIRST_LOAD_TARGET_KB = 100;

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{status: number; headers: http.IncomingHttpHeaders; body: Buffer}> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {headers}, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

async function signIn(
  base: string,
  email: string,
): Promise<string | undefined> {
  try {
    const res = await get(
      `${base}/sandbox/login?as=${encodeURIComponent(email)}`,
    );
    const cookie = res.headers['set-cookie']?.[0];
    return cookie?.split(';')[0];
  } catch {
    return undefined;
  }
}

async function startToFirstPage(): Promise<BenchRow[]> {
  const root = packageRoot();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const seed = JSON.parse(
    fs.readFileSync(path.join(root, 'sandbox', 'seed.json'), 'utf8'),
  ) as {users: Array<{email: string}>};
  const email = seed.users[0]!.email;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(root, 'build', 'sandbox', 'start.js')],
    {
      env: {...process.env, PORT: String(port)},
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  let firstPage: number | undefined;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const cookie = await signIn(base, email);
    if (cookie) {
      const res = await get(`${base}/`, {cookie}).catch(() => undefined);
      if (
        res?.status === 200 &&
        String(res.headers['content-type']).startsWith('text/html')
      ) {
        firstPage = performance.now() - t0;
        break;
      }
    }
    await new Promise(r => setTimeout(r, 50));
  }
  const t1 = performance.now();
  child.kill('SIGINT');
  await exited;
  const stopMs = performance.now() - t1;
  if (firstPage === undefined) {
    throw new Error(`The sandbox served no page: ${stderr.slice(-2000)}`);
  }
  return [
    {
      metric: 'npm start to first page (build excluded)',
      value: Math.round(firstPage),
      unit: 'ms',
      note: '1 run: node build/sandbox/start.js, then GET / as a signed-in user',
    },
    {
      metric: 'Ctrl-C to every process stopped',
      value: Math.round(stopMs),
      unit: 'ms',
      note: 'SIGINT to exit',
    },
  ];
}

async function firstLoadBytes(): Promise<BenchRow[]> {
  // The in-process sandbox: the same one the browser tests use.
  const {startSandbox} = await import('../sandbox/sandbox');
  const sandbox = await startSandbox({port: 0});
  try {
    const email = sandbox.users[0]!.email;
    const local = `http://127.0.0.1:${sandbox.port}`;
    if (chromiumUnavailable() === undefined) {
      const browser = await launchChromium();
      try {
        const context = await browser.newContext();
        const cookie = (await signIn(local, email))!;
        const [name, value] = cookie.split('=');
        await context.addCookies([{name: name!, value: value!, url: local}]);
        const page = await context.newPage();
        const finished: Array<Promise<{api: boolean; bytes: number}>> = [];
        page.on('requestfinished', request => {
          finished.push(
            request.sizes().then(s => ({
              api: new URL(request.url()).pathname.startsWith('/api/'),
              bytes: s.responseBodySize + s.responseHeadersSize,
            })),
          );
        });
        await page.goto(`${local}/`, {waitUntil: 'networkidle'});
        const sizes = await Promise.all(finished);
        const ui = sizes.filter(s => !s.api).reduce((n, s) => n + s.bytes, 0);
        const all = sizes.reduce((n, s) => n + s.bytes, 0);
        return [
          {
            metric: 'UI first load, transferred (page, scripts, styles, icon)',
            value: Math.round(ui / 102.4) / 10,
            unit: 'KB',
            target: FIRST_LOAD_TARGET_KB,
            note: `Chromium, ${sizes.filter(s => !s.api).length} responses, headers included`,
          },
          {
            metric: 'first load with its API calls',
            value: Math.round(all / 102.4) / 10,
            unit: 'KB',
            note: `${sizes.length} responses`,
          },
        ];
      } finally {
        await browser.close();
      }
    }
    // Without a browser: the page and every asset it names, gzip accepted.
    const cookie = (await signIn(local, email))!;
    const headers = {cookie, 'accept-encoding': 'gzip'};
    const page = await get(`${local}/`, headers);
    const html = (await get(`${local}/`, {cookie})).body.toString();
    const assets = new Set(
      [
        ...html.matchAll(
          /<(?:script|link)\b[^>]*\b(?:src|href)="(\/static\/[^"]+)"/g,
        ),
      ].map(m => m[1]!),
    );
    let bytes = page.body.length;
    for (const a of assets)
      bytes += (await get(`${local}${a}`, headers)).body.length;
    return [
      {
        metric: 'UI first load, transferred (bodies only)',
        value: Math.round(bytes / 102.4) / 10,
        unit: 'KB',
        target: FIRST_LOAD_TARGET_KB,
        note: `no browser: page + ${assets.size} assets, gzip`,
      },
    ];
  } finally {
    await sandbox.stop();
  }
}

export const sandboxSection: BenchSection = {
  title: 'sandbox and UI',
  run: async () => [...(await startToFirstPage()), ...(await firstLoadBytes())],
};

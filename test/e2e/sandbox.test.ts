/**
 * The sandbox of `npm start` as a whole, without a browser: the program
 * starts everything on one port, the functions answer through the IAP
 * stand-in, and Ctrl-C stops every process it started.
 */
import {spawn} from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import {freePort} from '../../sandbox/firestore-emulator';
import {describeIf} from '../support/skip';

const ROOT = path.join(__dirname, '..', '..');
const START = path.join(ROOT, 'build', 'sandbox', 'start.js');
const built =
  fs.existsSync(START) &&
  fs.existsSync(path.join(ROOT, 'build', 'functions', 'index.js'));

jest.setTimeout(90_000);

function listening(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise(resolve => {
    const socket = net.connect(Number(port), host!, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describeIf(built, 'the sandbox is not built (npm run build)')(
  'npm start',
  () => {
    it('serves the functions behind the IAP stand-in on one port, and Ctrl-C stops every process', async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [START], {
        env: {...process.env, PORT: String(port)},
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>(resolve =>
        child.once('exit', code => resolve(code)),
      );
      try {
        const deadline = Date.now() + 60_000;
        while (!output.includes('Press Ctrl-C to stop.')) {
          if (Date.now() > deadline || child.exitCode !== null)
            throw new Error(output);
          await new Promise(r => setTimeout(r, 100));
        }
        expect(output).toContain(`http://localhost:${port}/sandbox/login`);
        expect(output).toMatch(/Firestore/);

        const base = `http://127.0.0.1:${port}`;
        const login = await fetch(`${base}/sandbox/login?as=bob@example.com`, {
          redirect: 'manual',
        });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const policy = await fetch(`${base}/api/policy`, {headers: {cookie}});
        expect(policy.status).toBe(200);
        expect(await policy.json()).toMatchObject({
          signedInUser: {email: 'bob@example.com'},
          scope: 'organizations/100000000001',
        });
        const page = await fetch(`${base}/requests/some-id`, {
          headers: {cookie},
        });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain(
          "default-src 'self'",
        );

        // Every loopback address the sandbox announced, its children's included.
        const children = [
          ...output.matchAll(/on (?:http:\/\/)?(127\.0\.0\.1:\d+)/g),
        ].map(m => m[1]!);
        expect(children.length).toBeGreaterThanOrEqual(3);
        for (const address of children)
          expect(await listening(address)).toBe(true);

        child.kill('SIGINT');
        expect(await exited).toBe(0);
        for (const address of [...children, `127.0.0.1:${port}`]) {
          expect(await listening(address)).toBe(false);
        }
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  },
);

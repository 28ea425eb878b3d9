/**
 * Runs the functions as they are deployed: `functions-framework
 * --target=app --source=build/functions/index.js`, in a child process on a
 * loopback port, with an environment that holds only the stand-ins' addresses
 * and the settings the caller chooses.
 */
import {ChildProcess, spawn} from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

export interface FunctionsChild {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  process: ChildProcess;
  /** Resolves once the child has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface FunctionsChildOptions {
  /** The compiled package entry (build/functions/index.js). */
  source: string;
  target: string;
  port: number;
  /** The child's whole environment. */
  env: Record<string, string>;
  /** Each line the child prints. */
  onOutput: (line: string) => void;
  startTimeoutMs?: number;
}

/** The framework's CLI script, as its package.json `bin` names it. */
export function functionsFrameworkCli(): string {
  // The package's "exports" hide package.json: walk up from its main file.
  let dir = path.dirname(require.resolve('@google-cloud/functions-framework'));
  while (!fs.existsSync(path.join(dir, 'package.json')))
    dir = path.dirname(dir);
  const pkgPath = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as {
    bin: Record<string, string>;
  };
  return path.join(path.dirname(pkgPath), pkg.bin['functions-framework']!);
}

/** The compiled preload, next to this file in build/ (or there when run from source). */
function loopbackPreload(): string {
  const here = path.join(__dirname, 'loopback-only.js');
  if (fs.existsSync(here)) return here;
  return path.join(packageRoot(), 'build', 'sandbox', 'loopback-only.js');
}

/** The directory of the package.json above this file. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found');
    dir = parent;
  }
  return dir;
}

function healthy(url: string): Promise<boolean> {
  return new Promise(resolve => {
    const req = http.get(`${url}/health`, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Starts the child and waits until GET /health answers. */
export async function startFunctionsChild(
  options: FunctionsChildOptions,
): Promise<FunctionsChild> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    process.execPath,
    [
      '-r',
      loopbackPreload(),
      functionsFrameworkCli(),
      `--target=${options.target}`,
      `--source=${options.source}`,
      `--port=${options.port}`,
    ],
    {env: options.env, stdio: ['ignore', 'pipe', 'pipe']},
  );
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line) options.onOutput(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => {
      exitCode = code;
      resolve(code);
    }),
  );
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await healthy(url))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      await stop();
      throw new Error(
        `The functions did not start on ${url}` +
          (exitCode !== undefined ? ` (exit code ${exitCode})` : ' in time') +
          `:\n${tail}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {url, process: child, exited, stop};
}

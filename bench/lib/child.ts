/**
 * Starts a functions-framework target in a child process (bench/lib/serve.ts)
 * and waits for it to listen. Shared by the benchmark and by tests that need
 * an environment of their own (HTTPS_PROXY, NODE_EXTRA_CA_CERTS, K_SERVICE).
 */
import {execFileSync, spawn, type ChildProcess} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {LISTENING} from './serve';

/** The repository root, from build/bench/lib or bench/lib alike. */
export const REPO_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}build${path.sep}`) ? '../../..' : '../..',
);

export interface RunningTarget {
  child: ChildProcess;
  url: string;
  /** Everything the child wrote, for assertions and failure messages. */
  output(): string;
  /**
   * CPU time (user + system) the child has used so far, in ms; undefined
   * where /proc is missing. Unlike wall time it hardly moves when other
   * processes load the machine.
   */
  cpuMs(): number | undefined;
  /** Resident set size now, in MB; undefined where /proc is missing. */
  rssMb(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Spawns `node build/bench/lib/serve.js` for a compiled source and target.
 * `env` is the child's whole environment (PATH and the like are added).
 */
export function startTarget(options: {
  source: string;
  target: string;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  /** The node binary (default: this process's). */
  node?: string;
}): Promise<RunningTarget> {
  const serve = path.join(REPO_ROOT, 'build/bench/lib/serve.js');
  const child = spawn(
    options.node ?? process.execPath,
    [
      serve,
      '--source',
      path.resolve(REPO_ROOT, options.source),
      '--target',
      options.target,
    ],
    {
      cwd: REPO_ROOT,
      env: {PATH: process.env.PATH, ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const stop = () =>
    new Promise<void>(resolve => {
      if (child.exitCode !== null || child.signalCode !== null)
        return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.target} did not start in time:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = new RegExp(`^${LISTENING} (\\d+)$`, 'm').exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: `http://127.0.0.1:${m[1]}`,
          output: () => out,
          cpuMs: () => cpuMsOf(child.pid),
          rssMb: () => rssMbOf(child.pid),
          stop,
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`${options.target} exited with ${code}:\n${out}`));
    });
  });
}

let clockTicks: number | undefined;

/** utime + stime of a Linux process from /proc/<pid>/stat, in ms. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??=
      Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** VmRSS of a Linux process from /proc/<pid>/status, in MB. */
function rssMbOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * The fake Google Cloud on its own:
 *
 *   npm run fake-gcp -- --port 8085 --seed sandbox/seed.json
 *
 * Serves on 127.0.0.1 until stopped (Ctrl-C), and prints the base URL and
 * the endpoint variables to aim the functions at it. Without `--seed`, the
 * sandbox's demo world (sandbox/seed.json) is used; without `--port`, a free
 * port.
 */
import {readFileSync} from 'fs';
import * as path from 'path';
import {fakeEndpoints, startFakeGoogleCloud} from './index';
import type {World} from './world';

const USAGE = `Usage: npm run fake-gcp -- [--port <port>] [--seed <world.json>]

Serves the fake Google Cloud on 127.0.0.1 until stopped.
  --port   TCP port (default: a free one)
  --seed   the world as JSON (default: sandbox/seed.json); see sandbox/README.md`;

function parseArgs(argv: string[]): {port: number; seed: string} | string {
  let port = 0;
  let seed = path.resolve(__dirname, '../../../sandbox/seed.json');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--help' || arg === '-h') return USAGE;
    if (arg === '--port' && value !== undefined) {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return `--port: expected a TCP port, got ${value}\n\n${USAGE}`;
      }
      i++;
    } else if (arg === '--seed' && value !== undefined) {
      seed = path.resolve(value);
      i++;
    } else {
      return `Unknown or incomplete argument: ${arg}\n\n${USAGE}`;
    }
  }
  return {port, seed};
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(args + '\n');
    process.exitCode = args === USAGE ? 0 : 2;
    return;
  }
  let world: World;
  try {
    world = JSON.parse(readFileSync(args.seed, 'utf8')) as World;
  } catch (e) {
    process.stderr.write(
      `Cannot read the seed ${args.seed}: ${(e as Error).message}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const fake = await startFakeGoogleCloud(world, {port: args.port});
  process.stdout.write(
    `Fake Google Cloud at ${fake.url} (seed ${args.seed})\n`,
  );
  for (const [k, v] of Object.entries(fakeEndpoints(fake))) {
    process.stdout.write(`${k}=${v}\n`);
  }
  const stop = () => {
    void fake.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(err => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});

/**
 * Serves one functions-framework target on 127.0.0.1 and prints
 * `LISTENING <port>` on stdout: functions-framework's own server (getServer,
 * through its testing entry), without its CLI, which can only listen on
 * every interface.
 *
 * Used by the benchmark (cold starts) and by tests that need a function in a
 * child process with an environment of their own.
 *
 *   node build/bench/lib/serve.js --source build/functions/index.js --target roles
 */
import * as path from 'path';
import type {AddressInfo} from 'net';

/** The marker line a parent waits for. */
export const LISTENING = 'LISTENING';

function argument(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) {
    process.stderr.write(
      'usage: serve.js --source <compiled module> --target <function name>\n',
    );
    process.exit(2);
  }
  return value;
}

if (require.main === module) {
  const source = path.resolve(argument('source'));
  const target = argument('target');
  // Registering the functions is the cold start's real work: load it first.
  require(source);
  const {getTestServer} =
    require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
  const server = getTestServer(target);
  // An orderly exit on SIGTERM, so that --cpu-prof and the like write out.
  process.once('SIGTERM', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const {port} = server.address() as AddressInfo;
    process.stdout.write(`${LISTENING} ${port}\n`);
  });
}

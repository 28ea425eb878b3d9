/**
 * Preloaded (`node -r`) into the functions' child process: functions-framework
 * listens on every interface and has no host option, so a `listen(port)`
 * without a host is bound to 127.0.0.1 instead. The functions' code is not
 * touched; only the sandbox uses this.
 */
import * as net from 'net';

const original = net.Server.prototype.listen;

net.Server.prototype.listen = function (
  this: net.Server,
  ...args: unknown[]
): net.Server {
  const [port, host] = args;
  const isPort =
    typeof port === 'number' ||
    (typeof port === 'string' && /^[0-9]+$/.test(port));
  if (isPort && typeof host !== 'string') {
    args.splice(0, 1, Number(port), '127.0.0.1');
  }
  return (original as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;

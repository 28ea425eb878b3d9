/**
 * A proxy in front of the Firestore emulator for the fault and crash runs.
 * The Firestore client speaks gRPC over cleartext HTTP/2 to the emulator:
 * the proxy accepts the client's streams (node:http2, prior knowledge) and
 * forwards each over one session to the emulator, headers, messages and
 * trailers as they come.
 *
 * Faults (off unless set): a share of the streams, drawn from a seeded
 * source, is answered with a gRPC status in a trailers-only response
 * (RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE), held unanswered until the
 * client cancels or `holdMs` passes, or has its client connection destroyed.
 * A hold or a drop happens before forwarding or after the emulator answered
 * (the write applied, its answer lost), half and half.
 *
 * Hooks: a one-shot callback on the next call of a method (e.g. `Commit`),
 * when it arrives or when the emulator's answer arrives; `drop` then closes
 * the stream unanswered (and, on arrival, never forwards it).
 */
import * as http2 from 'node:http2';
import type {AddressInfo} from 'node:net';
import {seededRandom} from '../../sandbox/fake-gcp';

export const GrpcFaultKind = [
  'RESOURCE_EXHAUSTED',
  'INTERNAL',
  'UNAVAILABLE',
  'timeout',
  'drop',
] as const;
export type GrpcFaultKind = (typeof GrpcFaultKind)[number];

const GRPC_CODE: Record<string, number> = {
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
};

export interface ProxyFaults {
  rate: number;
  seed: number;
  kinds?: readonly GrpcFaultKind[];
  /** Longest a `timeout` holds a stream before answering UNAVAILABLE (default 20 s). */
  holdMs?: number;
}

export interface ProxyHook {
  /** The method's last path segment, e.g. `Commit`, `BatchGetDocuments`. */
  method: string;
  when: 'request' | 'response';
  run(): 'continue' | 'drop' | Promise<'continue' | 'drop'>;
}

export interface InjectedGrpcFault {
  method: string;
  kind: GrpcFaultKind;
  applied?: boolean;
}

export interface FirestoreProxy {
  /** `127.0.0.1:<port>`: FIRESTORE_EMULATOR_HOST for the client. */
  host: string;
  setFaults(faults: ProxyFaults | undefined): void;
  onNext(hook: ProxyHook): void;
  /** Streams seen, by method. */
  readonly calls: Map<string, number>;
  readonly injected: InjectedGrpcFault[];
  stop(): Promise<void>;
}

/** Headers HTTP/2 does not let a proxy copy across. */
const NOT_FORWARDED = new Set([
  ':scheme',
  ':authority',
  ':status',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardable(
  headers: http2.IncomingHttpHeaders,
): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!NOT_FORWARDED.has(k) && v !== undefined) out[k] = v;
  }
  return out;
}

export async function startFirestoreProxy(
  emulatorHost: string,
): Promise<FirestoreProxy> {
  let upstream: http2.ClientHttp2Session | undefined;
  const session = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = http2.connect(`http://${emulatorHost}`);
      upstream.on('error', () => {});
    }
    return upstream;
  };
  let faults: {settings: ProxyFaults; next: () => number} | undefined;
  const hooks: ProxyHook[] = [];
  const calls = new Map<string, number>();
  const injected: InjectedGrpcFault[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();

  const takeHook = (method: string, when: ProxyHook['when']) => {
    const i = hooks.findIndex(h => h.method === method && h.when === when);
    return i < 0 ? undefined : hooks.splice(i, 1)[0];
  };

  const draw = (method: string): InjectedGrpcFault | undefined => {
    if (!faults) return undefined;
    const {settings, next} = faults;
    if (next() >= settings.rate) return undefined;
    const kinds = settings.kinds ?? GrpcFaultKind;
    const kind = kinds[Math.floor(next() * kinds.length)]!;
    const fault: InjectedGrpcFault =
      kind === 'timeout' || kind === 'drop'
        ? {method, kind, applied: next() < 0.5}
        : {method, kind};
    injected.push(fault);
    return fault;
  };

  const answerStatus = (
    stream: http2.ServerHttp2Stream,
    code: number,
    message: string,
  ) => {
    if (stream.destroyed || stream.headersSent) return;
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': String(code),
        'grpc-message': encodeURIComponent(message),
      },
      {endStream: true},
    );
  };

  /** A stream that is never answered: held until cancelled or holdMs. */
  const hold = (stream: http2.ServerHttp2Stream) => {
    const timer = setTimeout(
      () => answerStatus(stream, 14, 'Injected delay'),
      faults?.settings.holdMs ?? 20_000,
    );
    stream.once('close', () => clearTimeout(timer));
  };

  const server = http2.createServer();
  server.on('session', s => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const method = String(headers[':path'] ?? '')
      .split('/')
      .pop()!;
    calls.set(method, (calls.get(method) ?? 0) + 1);
    void (async () => {
      const fault = draw(method);
      if (fault && fault.applied === undefined) {
        stream.resume();
        return answerStatus(
          stream,
          GRPC_CODE[fault.kind]!,
          `Injected ${fault.kind}`,
        );
      }
      if (fault?.applied === false) {
        stream.resume();
        if (fault.kind === 'drop') return stream.session?.destroy();
        return hold(stream);
      }
      const onRequest = takeHook(method, 'request');
      if (onRequest && (await onRequest.run()) === 'drop') {
        return stream.session?.destroy();
      }
      if (stream.destroyed) return;
      const out = session().request(forwardable(headers));
      out.on('error', () => {});
      stream.pipe(out);
      stream.on('close', () => {
        if (!out.closed) out.close(http2.constants.NGHTTP2_CANCEL);
      });
      let trailers: http2.OutgoingHttpHeaders | undefined;
      out.on('trailers', t => {
        trailers = forwardable(t);
      });
      out.on('response', async responseHeaders => {
        out.pause();
        const onResponse = takeHook(method, 'response');
        if (onResponse && (await onResponse.run()) === 'drop') {
          out.close(http2.constants.NGHTTP2_CANCEL);
          return stream.session?.destroy();
        }
        if (fault?.applied) {
          out.resume();
          if (fault.kind === 'drop') return stream.session?.destroy();
          return hold(stream);
        }
        if (stream.destroyed) return;
        const head = {
          ...forwardable(responseHeaders),
          ':status': responseHeaders[':status'] ?? 200,
        };
        if ('grpc-status' in responseHeaders) {
          // Trailers-only: the status is in the headers.
          stream.respond(head, {endStream: true});
          out.resume();
          return;
        }
        stream.respond(head, {waitForTrailers: true});
        stream.on('wantTrailers', () => {
          stream.sendTrailers(
            trailers ?? {
              'grpc-status': '14',
              'grpc-message': 'proxy: no trailers',
            },
          );
        });
        out.pipe(stream);
        out.resume();
      });
      out.on('close', () => {
        // The emulator reset the stream before answering.
        if (!stream.headersSent && !stream.destroyed && !fault?.applied)
          answerStatus(stream, 14, 'proxy: upstream closed');
      });
    })();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    setFaults(settings) {
      faults = settings
        ? {settings, next: seededRandom(settings.seed)}
        : undefined;
    },
    onNext(hook) {
      hooks.push(hook);
    },
    calls,
    injected,
    async stop() {
      for (const s of sessions) s.destroy();
      upstream?.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

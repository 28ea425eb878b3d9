/**
 * The IAP stand-in: the sandbox's one public port. It signs users in with a
 * cookie (/sandbox/login), serves its public keys (the functions' IAP key
 * URL), shows the mail sink (/sandbox/mail) and forwards every other request
 * to the functions with a real ES256 `x-goog-iap-jwt-assertion`, as IAP does.
 * Identity headers sent by the browser are stripped first: only the
 * stand-in speaks for the user.
 */
import {createHash, createHmac, randomBytes, timingSafeEqual} from 'crypto';
import * as http from 'http';
import type {AddressInfo} from 'net';
import type {ChatSigner} from './chat-signer';
import type {WorldChatMessage, WorldMessage, WorldPolicy} from './fake-gcp';
import type {IapSigner} from './iap-signer';
import type {MailSink} from './mail-sink';
import {
  activationBindings,
  chatPage,
  decodeMessage,
  eventsPage,
  iamPage,
  loginPage,
  mailPage,
  messagePage,
  SANDBOX_CSS,
  SANDBOX_PAGE_CSP,
  SandboxUser,
} from './pages';

export const KEYS_PATH = '/sandbox/iap/public_key';
/** Google Chat's certificates, as the stand-in serves them (CHAT_PUBLIC_KEYS_URL). */
export const CHAT_KEYS_PATH = '/sandbox/chat/keys';
const COOKIE = 'jit_sandbox_user';

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface StandInOptions {
  port: number;
  users: SandboxUser[];
  signer: IapSigner;
  /** The audience the assertions are signed for (the functions' IAP_AUDIENCE). */
  audience: string;
  mail: MailSink;
  /** NOTIFICATION_TOPIC and what was published to it, for /sandbox/events. */
  events?: {topic?: string; messages: () => readonly WorldMessage[]};
  /**
   * The fake's IAM policies by resource name, for /sandbox/iam: shows the
   * activation bindings and removes one, as an edit outside JIT Access would.
   */
  policies?: () => Record<string, WorldPolicy>;
  /** Where the functions listen, e.g. http://127.0.0.1:41234; set once started. */
  upstream: () => string | undefined;
  /**
   * Google Chat, for /sandbox/chat: the cards posted to the fake's Chat API,
   * and the `chat` target that the stand-in calls as Chat does, with a token
   * for the project number signed by `signer`.
   */
  chat?: {
    space?: string;
    messages: () => readonly WorldChatMessage[];
    signer: ChatSigner;
    projectNumber: string;
    upstream: () => string | undefined;
  };
}

/** A person's Chat user name in the sandbox: digits derived from the email. */
export function sandboxChatUser(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  return `users/1${digest.readBigUInt64BE(0).toString().padStart(20, '0')}`;
}

/** Reads a small urlencoded form body. */
async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** What the chat target answered, in a line for /sandbox/chat. */
function chatNote(status: number, body: Record<string, unknown>): string {
  if (status !== 200) return `The chat target answered ${status}.`;
  const action = body['actionResponse'] as
    | {
        type?: string;
        dialogAction?: {actionStatus?: {userFacingMessage?: string}};
      }
    | undefined;
  if (body['privateMessageViewer']) {
    return `Shown only to the user who clicked: ${String(body['text'])}`;
  }
  const dialog = action?.dialogAction?.actionStatus?.userFacingMessage;
  if (dialog) return `The dialog says: ${dialog}`;
  if (action?.type === 'UPDATE_MESSAGE') return 'The card was updated.';
  return 'Done.';
}

export interface StandIn {
  port: number;
  server: http.Server;
  stop(): Promise<void>;
}

/** Forwarded headers: everything but identity, hop-by-hop and the cookie. */
export function forwardedHeaders(
  incoming: http.IncomingHttpHeaders,
): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const connectionListed = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map(s => s.trim().toLowerCase()),
  );
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (
      value === undefined ||
      HOP_BY_HOP.has(lower) ||
      connectionListed.has(lower) ||
      lower.startsWith('x-goog-iap-') ||
      lower.startsWith('x-goog-authenticated-') ||
      lower === 'cookie' ||
      // A programmatic caller's token is for IAP, not for the app.
      lower === 'authorization'
    ) {
      continue;
    }
    out[name] = value;
  }
  return out;
}

function safeNext(next: string | null): string {
  // Only a path on this site: never //host or a scheme (an open redirect).
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) cookies.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return cookies;
}

/** Starts the stand-in on 127.0.0.1:`port` (0: a free port). */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const {signer, audience, mail} = options;
  const known = new Map(options.users.map(u => [u.email.toLowerCase(), u]));
  // A per-run secret: a cookie from an earlier run, or a forged one, is refused.
  const secret = randomBytes(32);
  const mac = (value: string) =>
    createHmac('sha256', secret).update(value).digest('base64url');

  const signedInUser = (req: http.IncomingMessage): string | undefined => {
    const raw = parseCookies(req.headers.cookie).get(COOKIE);
    if (!raw) return undefined;
    const [encoded, tag] = raw.split('.');
    if (!encoded || !tag) return undefined;
    const expected = Buffer.from(mac(encoded));
    const given = Buffer.from(tag);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return undefined;
    }
    const email = Buffer.from(encoded, 'base64url').toString('utf8');
    return known.has(email) ? email : undefined;
  };

  /**
   * Programmatic access, as IAP offers it: a bearer ID token in
   * `Proxy-Authorization` or `Authorization`. The stand-in accepts the
   * tokens it issued (`/sandbox/token?as=<email>`, valid an hour);
   * undefined when there is none, `invalid` for any other.
   */
  const TOKEN_TTL_S = 3600;
  const issueToken = (email: string): string => {
    const payload = Buffer.from(
      JSON.stringify({
        email,
        aud: 'sandbox-iap',
        exp: Math.floor(Date.now() / 1000) + TOKEN_TTL_S,
      }),
    ).toString('base64url');
    return `${payload}.${mac(`token:${payload}`)}`;
  };
  const bearerUser = (
    req: http.IncomingMessage,
  ): string | undefined | 'invalid' => {
    const header =
      req.headers['proxy-authorization'] ?? req.headers['authorization'];
    if (header === undefined) return undefined;
    const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(
      String(header),
    );
    if (!m) return 'invalid';
    const expected = Buffer.from(mac(`token:${m[1]}`));
    const given = Buffer.from(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return 'invalid';
    }
    const claims = JSON.parse(
      Buffer.from(m[1]!, 'base64url').toString('utf8'),
    ) as {email: string; exp: number};
    if (claims.exp * 1000 <= Date.now() || !known.has(claims.email)) {
      return 'invalid';
    }
    return claims.email;
  };

  const page = (
    res: http.ServerResponse,
    status: number,
    html: string,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': SANDBOX_PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      ...headers,
    });
    res.end(html);
  };

  const sandboxRoute = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ) => {
    const user = signedInUser(req);
    switch (url.pathname) {
      case '/sandbox/login': {
        const as = url.searchParams.get('as');
        const next = url.searchParams.get('next');
        if (as === null) {
          page(res, 200, loginPage(options.users, user, next ?? undefined));
          return;
        }
        const email = as.trim().toLowerCase();
        if (!known.has(email)) {
          page(
            res,
            400,
            messagePage(
              'Unknown user',
              `${as} is not a user of sandbox/seed.json.`,
            ),
          );
          return;
        }
        const encoded = Buffer.from(email).toString('base64url');
        res.writeHead(302, {
          Location: safeNext(next),
          'Set-Cookie': `${COOKIE}=${encoded}.${mac(encoded)}; Path=/; HttpOnly; SameSite=Lax`,
          'Cache-Control': 'no-store',
        });
        res.end();
        return;
      }
      case '/sandbox/token': {
        // An ID token for programmatic access (the jit command line), as
        // `gcloud auth print-identity-token` gives one for IAP.
        const as = (url.searchParams.get('as') ?? '').toLowerCase();
        if (!known.has(as)) {
          res.writeHead(404, {'Content-Type': 'text/plain; charset=utf-8'});
          res.end(`${as || '(no ?as=)'} is not a user of sandbox/seed.json\n`);
          return;
        }
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(issueToken(as));
        return;
      }
      case '/sandbox/logout':
        res.writeHead(302, {
          Location: '/sandbox/login',
          'Set-Cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
        });
        res.end();
        return;
      case '/sandbox/mail':
        page(res, 200, mailPage(mail.mails));
        return;
      case '/sandbox/mail.json':
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(JSON.stringify({mails: [...mail.mails].reverse()}));
        return;
      case '/sandbox/events':
        page(
          res,
          200,
          eventsPage(options.events?.topic, options.events?.messages() ?? []),
        );
        return;
      case '/sandbox/events.json':
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(
          JSON.stringify({
            topic: options.events?.topic,
            events: [...(options.events?.messages() ?? [])]
              .reverse()
              .map(m => ({...m, event: decodeMessage(m)})),
          }),
        );
        return;
      case '/sandbox/iam': {
        const policies = options.policies?.() ?? {};
        if (req.method === 'POST') {
          // A form of this page only: the per-run token, as a CSRF defence.
          const token = url.searchParams.get('token') ?? '';
          if (token !== mac('iam')) {
            page(
              res,
              403,
              messagePage('Refused', 'The form is stale; reload the page.'),
            );
            return;
          }
          const target = activationBindings(policies).find(
            b => b.key === url.searchParams.get('binding'),
          );
          if (target) {
            const policy = policies[target.resource]!;
            policy.bindings = (policy.bindings ?? []).filter(
              b => b !== target.binding,
            );
          }
          res.writeHead(303, {Location: '/sandbox/iam'});
          res.end();
          return;
        }
        page(res, 200, iamPage(policies, mac('iam')));
        return;
      }
      case '/sandbox/chat': {
        const chat = options.chat;
        if (req.method === 'POST' && chat) {
          void clickCard(req, res, url, chat);
          return;
        }
        page(
          res,
          200,
          chatPage(
            chat?.space,
            chat?.messages() ?? [],
            options.users,
            user,
            mac('chat'),
            url.searchParams.get('note') ?? undefined,
          ),
        );
        return;
      }
      case '/sandbox/chat.json':
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(
          JSON.stringify({
            space: options.chat?.space,
            messages: [...(options.chat?.messages() ?? [])].reverse(),
          }),
        );
        return;
      case CHAT_KEYS_PATH:
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'public, max-age=300',
        });
        res.end(JSON.stringify(options.chat?.signer.publicKeys() ?? {}));
        return;
      case '/sandbox/style.css':
        res.writeHead(200, {'Content-Type': 'text/css; charset=utf-8'});
        res.end(SANDBOX_CSS);
        return;
      case KEYS_PATH:
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'public, max-age=300',
        });
        res.end(JSON.stringify(signer.publicKeys()));
        return;
      default:
        page(
          res,
          404,
          messagePage('Not found', `${url.pathname} is not a sandbox page.`),
        );
    }
  };

  /**
   * A button of /sandbox/chat: the event Chat would send for the click, as
   * the chosen user, with Chat's token; **Deny…** opens the dialog and
   * submits the reason given on the page.
   */
  const clickCard = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    chat: NonNullable<StandInOptions['chat']>,
  ) => {
    const form = await formBody(req);
    const back = (note: string) => {
      res.writeHead(303, {
        Location: `/sandbox/chat?note=${encodeURIComponent(note)}`,
      });
      res.end();
    };
    if (url.searchParams.get('token') !== mac('chat')) {
      page(
        res,
        403,
        messagePage('Refused', 'The form is stale; reload the page.'),
      );
      return;
    }
    const as = (form.get('as') ?? '').toLowerCase();
    const message = chat
      .messages()
      .find(m => m.name === url.searchParams.get('message'));
    const fn = url.searchParams.get('fn') ?? '';
    const upstream = chat.upstream();
    if (!known.has(as) || !message || !upstream) {
      back(
        'Choose a user of the seed and a card that exists (or wait for the chat target to start).',
      );
      return;
    }
    const requestId = JSON.stringify(message.cardsV2).match(
      /"key":"requestId","value":"([A-Za-z0-9_-]+)"/,
    )?.[1];
    const send = async (event: Record<string, unknown>) => {
      const answer = await fetch(new URL('/chat', upstream), {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${chat.signer.projectNumberToken(chat.projectNumber)}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          type: 'CARD_CLICKED',
          eventTime: new Date().toISOString(),
          user: {
            name: sandboxChatUser(as),
            email: as,
            type: 'HUMAN',
            displayName: as,
          },
          space: {name: message.name.split('/messages/')[0], type: 'ROOM'},
          message: {name: message.name},
          ...event,
        }),
      });
      return {
        status: answer.status,
        body: (await answer.json().catch(() => ({}))) as Record<
          string,
          unknown
        >,
      };
    };
    try {
      const parameters = {requestId: requestId ?? ''};
      let answer = await send({common: {invokedFunction: fn, parameters}});
      if (
        fn === 'deny' &&
        answer.status === 200 &&
        !answer.body['privateMessageViewer']
      ) {
        answer = await send({
          isDialogEvent: true,
          dialogEventType: 'SUBMIT_DIALOG',
          common: {
            invokedFunction: 'submitDeny',
            parameters,
            formInputs: {
              reason: {stringInputs: {value: [form.get('reason') ?? '']}},
            },
          },
        });
      }
      back(chatNote(answer.status, answer.body));
    } catch {
      back('The chat target did not answer.');
    }
  };

  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    email: string,
  ) => {
    const upstream = options.upstream();
    if (!upstream) {
      page(
        res,
        503,
        messagePage(
          'Starting',
          'The functions are not up yet; reload in a moment.',
        ),
      );
      return;
    }
    const headers = forwardedHeaders(req.headers);
    headers['x-goog-iap-jwt-assertion'] = signer.sign({email, aud: audience});
    // IAP adds these unsigned headers too; the functions must ignore them.
    headers['x-goog-authenticated-user-email'] = `accounts.google.com:${email}`;
    const target = new URL(req.url ?? '/', upstream);
    const proxied = http.request(
      target,
      {method: req.method, headers},
      upstreamRes => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, out);
        upstreamRes.pipe(res);
      },
    );
    proxied.on('error', () => {
      if (!res.headersSent) {
        page(
          res,
          502,
          messagePage('Bad gateway', 'The functions did not answer.'),
        );
      } else {
        res.destroy();
      }
    });
    req.pipe(proxied);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/sandbox/')) {
      sandboxRoute(req, res, url);
      return;
    }
    const bearer = bearerUser(req);
    if (bearer === 'invalid') {
      res.writeHead(401, {'Content-Type': 'application/json; charset=utf-8'});
      res.end(
        JSON.stringify({
          error: {
            code: 401,
            status: 'UNAUTHENTICATED',
            message:
              'The bearer token is not one this IAP stand-in issued, or it expired: get one from /sandbox/token?as=<email>',
          },
        }),
      );
      return;
    }
    const email = bearer ?? signedInUser(req);
    if (email) {
      forward(req, res, email);
    } else if (url.pathname.startsWith('/api/')) {
      // A script gets an answer it can show, not a sign-in page.
      res.writeHead(401, {'Content-Type': 'application/json; charset=utf-8'});
      res.end(
        JSON.stringify({
          error: {
            code: 401,
            status: 'UNAUTHENTICATED',
            message: 'Not signed in: open /sandbox/login',
          },
        }),
      );
    } else {
      const next =
        url.pathname === '/'
          ? ''
          : `?next=${encodeURIComponent(url.pathname + url.search)}`;
      res.writeHead(302, {
        Location: `/sandbox/login${next}`,
        'Cache-Control': 'no-store',
      });
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

/**
 * The load of the proof runs: USERS simulated users, each one autocannon
 * instance with one connection, looping over what a user does: list their
 * roles, self-activate, request the peer-approved role naming the next user
 * as reviewer, and (as that reviewer) approve it. Every request carries a
 * signed IAP assertion and the CSRF header.
 *
 * When a request cannot be created because one is already pending (a
 * failed approval earlier in a fault run), the user has it approved instead,
 * as a person would.
 */
import autocannon from 'autocannon';
import type {ProofSystem} from './system';
import {JIT_ROLE, MPA_ROLE, PROOF_PROJECT, userEmail} from './world';

export const Endpoint = [
  'list roles',
  'self-activate',
  'create request',
  'approve request',
  'list own requests',
] as const;
export type Endpoint = (typeof Endpoint)[number];

/** One answer (status 0: none, the connection failed or timed out). */
export interface Answer {
  endpoint: Endpoint;
  user: string;
  status: number;
  latencyMs: number;
  body: string;
}

/** An activation the API answered 200 for. */
export interface AnsweredActivation {
  user: string;
  role: string;
  start: string;
  end: string;
  /** The request, for an approval. */
  requestId?: string;
}

export interface LoadResult {
  seconds: number;
  answers: Answer[];
  /** Requests that failed without an HTTP answer, by autocannon's error text. */
  noAnswer: Map<string, number>;
  activations: AnsweredActivation[];
}

const PENDING_ID = /pending request ([A-Za-z0-9_-]{22})\b/;

export async function runLoad(
  system: ProofSystem,
  options: {users: number; seconds: number},
): Promise<LoadResult> {
  const answers: Answer[] = [];
  const activations: AnsweredActivation[] = [];
  const noAnswer = new Map<string, number>();
  const url = new URL(system.child.url);

  // An assertion lives 10 minutes: sign again after 5.
  const signed = new Map<string, {token: string; at: number}>();
  const assertion = (email: string) => {
    const cached = signed.get(email);
    if (cached && Date.now() - cached.at < 300_000) return cached.token;
    const token = system.assertion(email);
    signed.set(email, {token, at: Date.now()});
    return token;
  };
  const headers = (email: string) => ({
    'x-goog-iap-jwt-assertion': assertion(email),
    'content-type': 'application/json',
    'x-jit-access': '1',
  });

  const runs = Array.from({length: options.users}, (_, i) => {
    const user = userEmail(i);
    const peer = userEmail((i + 1) % options.users);
    // One connection per instance: answers arrive in the order sent.
    const sent: Array<{endpoint: Endpoint; asUser: string}> = [];
    const received: Array<{status: number; body: string}> = [];
    type Context = {requestId?: string};
    const step = (
      endpoint: Endpoint,
      build: (ctx: Context) => autocannon.Request,
      asUser: (ctx: Context) => string,
      onOk?: (body: string, ctx: Context) => void,
    ): autocannon.Request => ({
      setupRequest: (req, context) => {
        const ctx = context as Context;
        const built = build(ctx);
        const who = asUser(ctx);
        const label =
          endpoint === 'approve request' && !ctx.requestId
            ? 'list own requests'
            : endpoint;
        sent.push({endpoint: label, asUser: who});
        return {...req, ...built, headers: headers(who)};
      },
      onResponse: (status, body, context) => {
        received.push({status, body});
        if (status >= 200 && status < 300) onOk?.(body, context as Context);
        else if (status === 409 && endpoint === 'create request') {
          // Already pending: approve that one next.
          const id = PENDING_ID.exec(body)?.[1];
          if (id) (context as Context).requestId = id;
        }
      },
    });
    const requests: autocannon.Request[] = [
      step(
        'list roles',
        () => ({method: 'GET', path: `/api/projects/${PROOF_PROJECT}/roles`}),
        () => user,
      ),
      step(
        'self-activate',
        () => ({
          method: 'POST',
          path: `/api/projects/${PROOF_PROJECT}/roles/self-activate`,
          body: JSON.stringify({
            roles: [JIT_ROLE],
            justification: 'load test',
            durationMinutes: 30,
          }),
        }),
        () => user,
        body => {
          const {activations: list} = JSON.parse(body) as {
            activations: Array<{role: string; start: string; end: string}>;
          };
          for (const a of list)
            activations.push({user, role: a.role, start: a.start, end: a.end});
        },
      ),
      step(
        'create request',
        ctx => {
          delete ctx.requestId;
          return {
            method: 'POST',
            path: `/api/projects/${PROOF_PROJECT}/roles/request`,
            body: JSON.stringify({
              role: MPA_ROLE,
              justification: 'load test',
              durationMinutes: 30,
              reviewers: [peer],
            }),
          };
        },
        () => user,
        (body, ctx) => {
          ctx.requestId = (JSON.parse(body) as {id: string}).id;
        },
      ),
      step(
        'approve request',
        ctx =>
          ctx.requestId
            ? {
                method: 'POST',
                path: `/api/requests/${ctx.requestId}/approve`,
                body: '{}',
              }
            : {
                method: 'GET',
                path: '/api/requests?as=requester&state=PENDING',
              },
        ctx => (ctx.requestId ? peer : user),
        body => {
          const r = JSON.parse(body) as {
            id?: string;
            state?: string;
            role?: string;
            activation?: {start: string; end: string};
          };
          if (r.state === 'ACTIVE' && r.activation && r.role) {
            activations.push({
              user,
              role: r.role,
              start: r.activation.start,
              end: r.activation.end,
              requestId: r.id,
            });
          }
        },
      ),
    ];
    return new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url: url.origin,
          connections: 1,
          duration: options.seconds,
          // Longer than any deadline of the product: we measure it, not our patience.
          timeout: 60,
          requests,
        },
        err => (err ? reject(err) : resolve()),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        const s = sent.shift();
        const r = received.shift();
        if (!s) return;
        answers.push({
          endpoint: s.endpoint,
          user: s.asUser,
          status: statusCode,
          latencyMs: responseTime,
          body: r?.body ?? '',
        });
      });
      instance.on('reqError', (err: Error) => {
        // The request in flight got no answer.
        const s = sent.shift();
        const key = `${s?.endpoint ?? '?'}: ${err?.message ?? String(err)}`;
        noAnswer.set(key, (noAnswer.get(key) ?? 0) + 1);
      });
    });
  });
  const t0 = Date.now();
  await Promise.all(runs);
  return {
    seconds: (Date.now() - t0) / 1000,
    answers,
    noAnswer,
    activations,
  };
}

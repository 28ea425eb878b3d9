/**
 * What the proof runs check at the end, against the fake's final IAM policy
 * and the requests stored in the emulator (read directly, not through the
 * proxy), and how they print: one table of figures, one of invariants.
 */
import {Firestore} from '@google-cloud/firestore';
import type {AccessRequest} from '../../shared/approvals/types';
import {grantActivation} from '../../shared/grants/ledger';
import type {Grant} from '../../shared/grants/types';
import {parseActivation} from '../../shared/eligibility/conditions';
import type {IamBinding} from '../../shared/ports';
import type {FakeGoogleCloud} from '../../sandbox/fake-gcp';
import {quantile} from '../lib/stats';
import type {Answer, AnsweredActivation} from './load';
import {MPA_ROLE, PROOF_PROJECT} from './world';

/** One activation binding in the final policy. */
export interface GrantedBinding {
  user: string;
  role: string;
  start: number;
  end: number;
}

/** The activation bindings of the proof project's final policy. */
export function grantedBindings(fake: FakeGoogleCloud): GrantedBinding[] {
  const bindings: IamBinding[] =
    (fake.world.policies?.[`projects/${PROOF_PROJECT}`]?.bindings as
      IamBinding[] | undefined) ?? [];
  const out: GrantedBinding[] = [];
  for (const b of bindings) {
    const a = parseActivation(b.condition);
    if (!a) continue;
    for (const m of b.members) {
      out.push({
        user: m.replace(/^user:/, ''),
        role: b.role,
        start: a.start.getTime(),
        end: a.end.getTime(),
      });
    }
  }
  return out;
}

/** Every document of one of the run's collections, read from the emulator. */
async function storedDocuments<T>(
  emulatorHost: string,
  collection: string,
): Promise<T[]> {
  const db = new Firestore({
    projectId: 'bench-project',
    host: emulatorHost,
    ssl: false,
  });
  try {
    const snap = await db.collection(collection).get();
    return snap.docs.map(d => d.data() as T);
  } finally {
    await db.terminate();
  }
}

/** Every stored request of the run. */
export const storedRequests = (emulatorHost: string, collection: string) =>
  storedDocuments<AccessRequest>(emulatorHost, collection);

/** Every grant record of the run. */
export const storedGrants = (emulatorHost: string, collection: string) =>
  storedDocuments<Grant>(emulatorHost, collection);

/**
 * The ledger against IAM (docs/grants.md), after a reconciliation: every
 * activation binding has its ACTIVE record; every live ACTIVE record has its
 * binding; no record still ACTIVATING has a binding (reconciliation would
 * have settled it).
 */
export function checkGrants(
  grants: Grant[],
  granted: GrantedBinding[],
  now: number,
): Invariant[] {
  const windowKey = (user: string, role: string, start: number, end: number) =>
    `${user} ${role} ${start} ${end}`;
  // The window the grant's binding was written with (`end` may read
  // earlier since: a replaced grant ends when its successor starts).
  const ofGrant = (g: Grant) => {
    const written = grantActivation(g);
    return windowKey(
      g.user,
      g.role,
      written.start.getTime(),
      written.end.getTime(),
    );
  };
  const bindings = new Set(
    granted.map(b => windowKey(b.user, b.role, b.start, b.end)),
  );
  const byWindow = new Map(grants.map(g => [ofGrant(g), g]));
  const withoutRecord = granted.filter(b => {
    const g = byWindow.get(windowKey(b.user, b.role, b.start, b.end));
    return !g || g.state !== 'ACTIVE';
  });
  const activeWithout = grants.filter(
    g =>
      g.state === 'ACTIVE' &&
      Date.parse(g.end) > now &&
      !g.externallyModified &&
      !bindings.has(ofGrant(g)),
  );
  const activatingWith = grants.filter(
    g => g.state === 'ACTIVATING' && bindings.has(ofGrant(g)),
  );
  const states: Record<string, number> = {};
  for (const g of grants) states[g.state] = (states[g.state] ?? 0) + 1;
  const statesText = Object.entries(states)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    {
      name: 'activation binding ⇒ its ACTIVE grant record',
      ok: withoutRecord.length === 0,
      detail:
        withoutRecord.length === 0
          ? `${granted.length} bindings; records: ${statesText}`
          : `without: ${withoutRecord
              .slice(0, 3)
              .map(b => `${b.user} ${b.role} ${new Date(b.end).toISOString()}`)
              .join('; ')} (${withoutRecord.length})`,
    },
    {
      name: 'live ACTIVE grant ⇒ its binding',
      ok: activeWithout.length === 0,
      detail:
        activeWithout.length === 0
          ? `${states.ACTIVE ?? 0} ACTIVE records`
          : `without binding: ${activeWithout
              .slice(0, 3)
              .map(g => g.id)
              .join(', ')} (${activeWithout.length})`,
    },
    {
      name: 'ACTIVATING grant ⇒ no binding (after reconciliation)',
      ok: activatingWith.length === 0,
      detail:
        activatingWith.length === 0
          ? `${states.ACTIVATING ?? 0} ACTIVATING (their writes never landed)`
          : `with binding: ${activatingWith.map(g => g.id).join(', ')}`,
    },
  ];
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

const key = (user: string, role: string) => `${user} ${role}`;

/**
 * No duplicate binding per user and role; the last activation answered 200
 * for each user and role is in the policy, or one that ends later.
 */
export function checkBindings(
  granted: GrantedBinding[],
  answered: AnsweredActivation[],
): Invariant[] {
  const byKey = new Map<string, GrantedBinding[]>();
  for (const g of granted) {
    const k = key(g.user, g.role);
    byKey.set(k, [...(byKey.get(k) ?? []), g]);
  }
  const duplicates = [...byKey].filter(([, list]) => list.length > 1);
  const last = new Map<string, AnsweredActivation>();
  for (const a of answered) {
    const k = key(a.user, a.role);
    const prev = last.get(k);
    if (!prev || Date.parse(a.end) >= Date.parse(prev.end)) last.set(k, a);
  }
  const lost: string[] = [];
  for (const [k, a] of last) {
    const b = byKey.get(k)?.[0];
    const end = Date.parse(a.end);
    // A later activation may have replaced it: one the load stopped
    // waiting for, or one that wrote and then failed to answer.
    const ok = b !== undefined && b.end >= end;
    if (!ok) lost.push(`${k} ${a.start}..${a.end}`);
  }
  return [
    {
      name: 'one binding per user and role',
      ok: duplicates.length === 0,
      detail:
        duplicates.length === 0
          ? `${granted.length} activation bindings`
          : `duplicates: ${duplicates.map(([k]) => k).join(', ')}`,
    },
    {
      name: 'every activation answered 200 is in the final policy',
      ok: lost.length === 0,
      detail:
        lost.length === 0
          ? `${answered.length} activations answered 200, ${last.size} latest per user and role, all present`
          : `missing: ${lost.slice(0, 5).join('; ')}${lost.length > 5 ? ` (+${lost.length - 5})` : ''}`,
    },
  ];
}

/** Request states against IAM (docs/design.md §2.1, §5). */
export function checkRequests(
  requests: AccessRequest[],
  granted: GrantedBinding[],
): {
  invariants: Invariant[];
  states: Record<string, number>;
  /** Requests whose state contradicts IAM. */
  contradicting: string[];
} {
  const states: Record<string, number> = {};
  for (const r of requests) states[r.state] = (states[r.state] ?? 0) + 1;
  const windowOf = (r: AccessRequest) =>
    r.activation
      ? {
          start: Date.parse(r.activation.start),
          end: Date.parse(r.activation.end),
        }
      : undefined;
  const bindingOf = (r: AccessRequest) =>
    granted.find(g => g.user === r.requester && g.role === r.role);
  const activeWithout: string[] = [];
  const closedWith: string[] = [];
  const approvedWith: string[] = [];
  for (const r of requests) {
    const w = windowOf(r);
    const b = bindingOf(r);
    const exact = w && b && b.start === w.start && b.end === w.end;
    if (r.state === 'ACTIVE') {
      // A later activation of the same role replaces the binding: one that ends later.
      if (!b || !w || b.end < w.end)
        activeWithout.push(
          `${r.id} ${r.requester} ${r.activation?.end ?? '?'} (binding ends ${b ? new Date(b.end).toISOString() : 'none'})`,
        );
    } else if (r.state === 'APPROVED') {
      if (exact) approvedWith.push(r.id);
    } else if (exact) {
      closedWith.push(`${r.id} (${r.state})`);
    }
  }
  const mpaBindings = granted.filter(g => g.role === MPA_ROLE);
  const orphans = mpaBindings.filter(
    g =>
      !requests.some(r => {
        const w = windowOf(r);
        return (
          r.requester === g.user && w && w.start === g.start && w.end === g.end
        );
      }),
  );
  return {
    states,
    contradicting: [...activeWithout, ...closedWith, ...approvedWith].map(
      t => t.split(' ')[0]!,
    ),
    invariants: [
      {
        name: 'ACTIVE request ⇒ its binding',
        ok: activeWithout.length === 0,
        detail:
          activeWithout.length === 0
            ? `${states.ACTIVE ?? 0} ACTIVE`
            : `without binding: ${activeWithout.slice(0, 5).join(', ')} (${activeWithout.length})`,
      },
      {
        name: 'FAILED/DENIED/WITHDRAWN request ⇒ no binding of its window',
        ok: closedWith.length === 0,
        detail:
          closedWith.length === 0
            ? `${(states.FAILED ?? 0) + (states.DENIED ?? 0) + (states.WITHDRAWN ?? 0)} closed without activation`
            : `with binding: ${closedWith.slice(0, 5).join(', ')} (${closedWith.length})`,
      },
      {
        name: 'APPROVED left behind ⇒ no binding (it reads FAILED after 2 min)',
        ok: approvedWith.length === 0,
        detail:
          approvedWith.length === 0
            ? `${states.APPROVED ?? 0} APPROVED left`
            : `APPROVED with binding: ${approvedWith.slice(0, 5).join(', ')} (${approvedWith.length} of ${states.APPROVED})`,
      },
      {
        name: 'peer-approved binding ⇒ its request',
        ok: orphans.length === 0,
        detail:
          orphans.length === 0
            ? `${mpaBindings.length} peer-approved bindings, each with its request`
            : `without request: ${orphans.length}`,
      },
    ],
  };
}

/** Whether a body is our error JSON: {error: {code, status, message}}. */
export function isErrorJson(body: string, status: number): boolean {
  try {
    const e = (JSON.parse(body) as {error?: Record<string, unknown>}).error;
    return (
      e?.code === status &&
      typeof e.status === 'string' &&
      typeof e.message === 'string' &&
      e.message.length > 0
    );
  } catch {
    return false;
  }
}

/** Per endpoint: count, p50, p99, statuses. */
export function endpointTable(answers: Answer[], seconds: number): string {
  const groups = new Map<string, Answer[]>();
  for (const a of answers)
    groups.set(a.endpoint, [...(groups.get(a.endpoint) ?? []), a]);
  const rows = [...groups].map(([endpoint, list]) => {
    const ms = list.map(a => a.latencyMs);
    const statuses = new Map<number, number>();
    for (const a of list)
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    return [
      endpoint,
      String(list.length),
      (list.length / seconds).toFixed(1),
      quantile(ms, 0.5).toFixed(0),
      quantile(ms, 0.99).toFixed(0),
      [...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
    ];
  });
  const all = answers.map(a => a.latencyMs);
  rows.push([
    'all',
    String(answers.length),
    (answers.length / seconds).toFixed(1),
    quantile(all, 0.5).toFixed(0),
    quantile(all, 0.99).toFixed(0),
    '',
  ]);
  return table(
    ['endpoint', 'answers', 'req/s', 'p50 ms', 'p99 ms', 'statuses'],
    rows,
  );
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)),
  );
  const line = (c: string[]) =>
    '| ' + c.map((x, i) => (x ?? '').padEnd(widths[i]!)).join(' | ') + ' |';
  return [
    line(header),
    '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|',
    ...rows.map(line),
  ].join('\n');
}

export function invariantTable(invariants: Invariant[]): string {
  return table(
    ['invariant', 'holds', 'detail'],
    invariants.map(i => [i.name, i.ok ? 'yes' : 'NO', i.detail]),
  );
}

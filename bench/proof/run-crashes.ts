/**
 * `npm run proof:crashes`: kills the function process (SIGKILL) at each step
 * of a self-activation and of an approval, starts it again, and checks that
 * the state is consistent and that the user can finish or retry.
 *
 * The steps are found from outside the product: a one-shot hook in the fake
 * Google Cloud on the next setIamPolicy (before it applies, or after it
 * applied and before it answers), and one in the Firestore proxy on the next
 * Commit (when the emulator has stored it, or before it is forwarded).
 *
 * An approval left APPROVED reads FAILED two minutes after its IAM write
 * started (docs/design.md §2.1), and only then can it be approved again: the
 * run waits for that once, for all such requests together (about 2 min).
 */
import {
  checkGrants,
  checkRequests,
  grantedBindings,
  isErrorJson,
  storedGrants,
  storedRequests,
  table,
  type GrantedBinding,
} from './check';
import {SETTLE_AFTER_MS} from '../../shared/grants/reconcile';
import {startProofSystem, type ProofSystem} from './system';
import {machine} from './machine';
import {JIT_ROLE, MPA_ROLE, PROOF_PROJECT, userEmail} from './world';

const SET = 'cloudresourcemanager.projects.setIamPolicy';
const STALE_MS = 2 * 60 * 1000;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function api(
  system: ProofSystem,
  user: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Reply> {
  try {
    const res = await fetch(system.child.url + path, {
      method,
      headers: {
        'x-goog-iap-jwt-assertion': system.assertion(user),
        'content-type': 'application/json',
        'x-jit-access': '1',
      },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON: kept as text.
    }
    return {status: res.status, body: parsed, text};
  } catch {
    return {status: 0, body: {}, text: 'no answer (the process died)'};
  }
}

const selfActivate = (s: ProofSystem, user: string) =>
  api(s, user, 'POST', `/api/projects/${PROOF_PROJECT}/roles/self-activate`, {
    roles: [JIT_ROLE],
    justification: 'crash test',
    durationMinutes: 30,
  });

const createRequest = (s: ProofSystem, user: string, reviewer: string) =>
  api(s, user, 'POST', `/api/projects/${PROOF_PROJECT}/roles/request`, {
    role: MPA_ROLE,
    justification: 'crash test',
    durationMinutes: 30,
    reviewers: [reviewer],
  });

const approve = (s: ProofSystem, reviewer: string, id: string) =>
  api(s, reviewer, 'POST', `/api/requests/${id}/approve`, {});

const bindingsOf = (s: ProofSystem, user: string, role: string) =>
  grantedBindings(s.fake).filter(b => b.user === user && b.role === role);

const windowText = (b: GrantedBinding[]) =>
  b.length === 0
    ? 'none'
    : b
        .map(
          g =>
            `${new Date(g.start).toISOString().slice(11, 19)}–${new Date(g.end).toISOString().slice(11, 19)}`,
        )
        .join(', ');

/** Kills the process from a hook, and tells the hook to drop the call. */
function killer(system: ProofSystem, fired: {at?: number}) {
  return async (): Promise<'drop'> => {
    fired.at = Date.now();
    await system.kill();
    return 'drop';
  };
}

interface Row {
  flow: string;
  killedAt: string;
  answer: string;
  afterRestart: string;
  retry: string;
  final: string;
  ok: boolean;
  note?: string;
}

async function storedState(system: ProofSystem, id: string) {
  const all = await storedRequests(system.emulator.host, system.collection);
  return all.find(r => r.id === id);
}

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  console.log(`Machine: ${machine()}`);
  const system = await startProofSystem({
    users: 12,
    proxy: true,
    settings: {RATE_LIMIT_PER_MINUTE: '0'},
  });
  const rows: Row[] = [];
  const gaps: string[] = [];
  try {
    // Self-activation: the IAM write is its only step.
    for (const [i, when] of [
      [0, 'before'],
      [1, 'after'],
    ] as const) {
      const user = userEmail(i);
      const fired: {at?: number} = {};
      system.fake.onNext({
        name: SET,
        when,
        match: req => JSON.stringify(req.body).includes(user),
        run: killer(system, fired),
      });
      const first = await selfActivate(system, user);
      await system.restart();
      const after = bindingsOf(system, user, JIT_ROLE);
      const retry = await selfActivate(system, user);
      const final = bindingsOf(system, user, JIT_ROLE);
      const answered = (
        retry.body.activations as
          Array<{start: string; end: string}> | undefined
      )?.[0];
      rows.push({
        flow: `self-activation (${user})`,
        killedAt:
          when === 'before'
            ? 'IAM write arrived, not applied'
            : 'IAM write applied, not answered',
        answer: first.status === 0 ? 'none' : String(first.status),
        afterRestart: `binding: ${windowText(after)}`,
        retry: String(retry.status),
        final: `${final.length} binding (${windowText(final)})`,
        ok:
          fired.at !== undefined &&
          first.status === 0 &&
          after.length === (when === 'before' ? 0 : 1) &&
          retry.status === 200 &&
          final.length === 1 &&
          answered !== undefined &&
          final[0]!.end === Date.parse(answered.end),
      });
    }

    // Approval: the record, the IAM write, the final update.
    interface Pending {
      row: Row;
      requester: string;
      reviewer: string;
      id: string;
    }
    const waiting: Pending[] = [];
    const steps = [
      'record stored, not answered',
      'IAM write arrived, not applied',
      'IAM write applied, not answered',
      'before the final Firestore update',
    ] as const;
    for (const [k, step] of steps.entries()) {
      const requester = userEmail(2 + 2 * k);
      const reviewer = userEmail(3 + 2 * k);
      const fired: {at?: number} = {};
      const row: Row = {
        flow: `approval (${requester})`,
        killedAt: step,
        answer: '',
        afterRestart: '',
        retry: '',
        final: '',
        ok: false,
      };
      rows.push(row);
      if (step === 'record stored, not answered') {
        system.proxy!.onNext({
          method: 'Commit',
          when: 'response',
          run: killer(system, fired),
        });
        const first = await createRequest(system, requester, reviewer);
        row.answer = first.status === 0 ? 'none' : String(first.status);
        await system.restart();
        const stored = (
          await storedRequests(system.emulator.host, system.collection)
        ).filter(r => r.requester === requester);
        // The user tries again: told which request is already pending.
        const again = await createRequest(system, requester, reviewer);
        const named = stored[0] && again.text.includes(stored[0].id);
        row.afterRestart = `${stored.map(r => r.state).join(', ') || 'no request'}; create again → ${again.status}${named ? ' naming it' : ''}`;
        const id = stored[0]?.id ?? '';
        const approved = await approve(system, reviewer, id);
        const final = bindingsOf(system, requester, MPA_ROLE);
        row.retry = `approve → ${approved.status} ${String(approved.body.state ?? '')}`;
        row.final = `${final.length} binding (${windowText(final)})`;
        row.ok =
          fired.at !== undefined &&
          first.status === 0 &&
          stored.length === 1 &&
          stored[0]!.state === 'PENDING' &&
          again.status === 409 &&
          isErrorJson(again.text, 409) &&
          !!named &&
          approved.status === 200 &&
          approved.body.state === 'ACTIVE' &&
          final.length === 1;
        continue;
      }
      const created = await createRequest(system, requester, reviewer);
      const id = String(created.body.id ?? '');
      if (created.status !== 201) {
        row.answer = `create → ${created.status}`;
        continue;
      }
      if (step === 'before the final Firestore update') {
        system.fake.onNext({
          name: SET,
          when: 'after',
          match: req => JSON.stringify(req.body).includes(requester),
          run: () => {
            system.proxy!.onNext({
              method: 'Commit',
              when: 'request',
              run: killer(system, fired),
            });
            return 'continue';
          },
        });
      } else {
        system.fake.onNext({
          name: SET,
          when: step === 'IAM write arrived, not applied' ? 'before' : 'after',
          match: req => JSON.stringify(req.body).includes(requester),
          run: killer(system, fired),
        });
      }
      const first = await approve(system, reviewer, id);
      row.answer = first.status === 0 ? 'none' : String(first.status);
      await system.restart();
      const read = await api(system, requester, 'GET', `/api/requests/${id}`);
      const early = await approve(system, reviewer, id);
      const bindings = bindingsOf(system, requester, MPA_ROLE);
      row.afterRestart = `reads ${String(read.body.state)}, binding: ${windowText(bindings)}; approve again now → ${early.status}`;
      row.ok =
        fired.at !== undefined &&
        first.status === 0 &&
        read.status === 200 &&
        read.body.state === 'APPROVED' &&
        bindings.length ===
          (step === 'IAM write arrived, not applied' ? 0 : 1) &&
        early.status === 409 &&
        isErrorJson(early.text, 409);
      waiting.push({row, requester, reviewer, id});
    }

    // Reconciliation (the scheduler's, here called once) settles what the
    // kills left: a request whose binding landed reads ACTIVE; one whose
    // write never landed reads FAILED once its grant is past the activator's
    // write budget, and a reviewer may approve it again.
    const starts = await Promise.all(
      waiting.map(async w =>
        Date.parse((await storedState(system, w.id))?.activation?.start ?? ''),
      ),
    );
    const readyAt =
      Math.max(...starts.filter(Number.isFinite)) +
      Math.max(STALE_MS, SETTLE_AFTER_MS);
    const waitMs = readyAt - Date.now() + 2000;
    if (waitMs > 0) {
      process.stderr.write(
        `waiting ${Math.round(waitMs / 1000)} s for the unsettled writes to be past their budget …\n`,
      );
      await new Promise(r => setTimeout(r, waitMs));
    }
    const reconciled = await system.reconcile();
    if (reconciled.status !== 200) {
      gaps.push(
        `reconciliation answered ${reconciled.status}: ${reconciled.body.slice(0, 200)}`,
      );
    }
    for (const w of waiting) {
      const read = await api(
        system,
        w.requester,
        'GET',
        `/api/requests/${w.id}`,
      );
      const bindings = bindingsOf(system, w.requester, MPA_ROLE);
      if (bindings.length > 0) {
        // Settled by reconciliation: nothing left to retry.
        w.row.retry = `after reconciliation reads ${String(read.body.state)}`;
        w.row.final = `${bindings.length} binding (${windowText(bindings)})`;
        w.row.ok =
          w.row.ok && read.body.state === 'ACTIVE' && bindings.length === 1;
        if (read.body.state !== 'ACTIVE') {
          gaps.push(
            `request ${w.id} (${w.row.killedAt}) reads ${String(read.body.state)} after reconciliation while its binding ${windowText(bindings)} is in IAM`,
          );
        }
        continue;
      }
      const approved = await approve(system, w.reviewer, w.id);
      const final = bindingsOf(system, w.requester, MPA_ROLE);
      const activation = approved.body.activation as
        {start: string; end: string} | undefined;
      w.row.retry = `after reconciliation reads ${String(read.body.state)}; approve → ${approved.status} ${String(approved.body.state ?? '')}`;
      w.row.final = `${final.length} binding (${windowText(final)})`;
      w.row.ok =
        w.row.ok &&
        read.body.state === 'FAILED' &&
        approved.status === 200 &&
        approved.body.state === 'ACTIVE' &&
        final.length === 1 &&
        activation !== undefined &&
        final[0]!.end === Date.parse(activation.end);
    }
    // Self-activations the kills interrupted are settled too.
    await system.reconcile();

    // The whole store against IAM, at the end.
    const requests = await storedRequests(
      system.emulator.host,
      system.collection,
    );
    const granted = grantedBindings(system.fake);
    const invariants = [
      ...checkRequests(requests, granted).invariants,
      ...checkGrants(
        await storedGrants(system.emulator.host, system.grantsCollection),
        granted,
        Date.now(),
      ),
    ];
    console.log(
      '\n' +
        table(
          [
            'flow',
            'killed at',
            'answer',
            'after restart',
            'retry',
            'final',
            'ok',
          ],
          rows.map(r => [
            r.flow,
            r.killedAt,
            r.answer,
            r.afterRestart,
            r.retry,
            r.final,
            r.ok ? 'yes' : 'NO',
          ]),
        ),
    );
    console.log(
      '\n' +
        table(
          ['invariant at the end', 'holds', 'detail'],
          invariants.map(i => [i.name, i.ok ? 'yes' : 'NO', i.detail]),
        ),
    );
    if (gaps.length > 0) {
      console.log(
        '\nReconciliation left these unsettled:\n' +
          gaps.map(g => `  - ${g}`).join('\n'),
      );
    }
    if (rows.some(r => !r.ok) || invariants.some(i => !i.ok) || gaps.length) {
      console.log('\nA check failed.');
      process.exitCode = 1;
    }
  } finally {
    await system.stop();
  }
}

main().catch(err => {
  console.error(err);
  process.exitCode = 1;
});

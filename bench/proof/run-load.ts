/**
 * `npm run proof:load` and `npm run proof:faults`: the `app` target in one
 * child process under LOAD_USERS simulated users (default 50) for
 * LOAD_SECONDS (default 60), against the fake Google Cloud and Google's
 * Firestore emulator (bench/proof/load.ts says what each user does).
 *
 * With `--faults`, the fake Google Cloud and a proxy in front of the
 * emulator inject faults into FAULT_RATE (default 0.1) of all calls, drawn
 * from FAULT_SEED (docs/proof-fault-model.md).
 *
 * Prints the figures and the invariants, and exits 1 when one fails: no
 * error (load) or only clear 409/429/503 answers with our error JSON
 * (faults), peak RSS under 256 MiB, every activation answered 200 in the
 * final policy, request states that agree with IAM.
 *
 * RATE_LIMIT_PER_MINUTE is off (0) unless LOAD_RATE_LIMIT sets it: the
 * simulated users act far faster than people do. PROOF_NODE_OPTIONS is
 * given to the function as NODE_OPTIONS (default --max-old-space-size=256,
 * the heap of a 512 MiB instance; empty for none: see functionNodeOptions).
 */
import {
  checkBindings,
  checkGrants,
  checkRequests,
  endpointTable,
  grantedBindings,
  invariantTable,
  isErrorJson,
  storedGrants,
  storedRequests,
  table,
  type Invariant,
} from './check';
import {runLoad} from './load';
import {machine} from './machine';
import {
  functionNodeOptions,
  startProofSystem,
  type ProofSystem,
} from './system';

const RSS_TARGET_MIB = 256;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name}=${raw}: expected a non-negative number`);
  }
  return n;
}

/**
 * Waits until the function has made no call to the fake or to Firestore for
 * 3 s (at most 2 minutes): the final state is read once nothing moves.
 */
async function settle(system: ProofSystem): Promise<void> {
  const activity = () =>
    system.fake.requests.length +
    [...(system.proxy?.calls.values() ?? [])].reduce((n, c) => n + c, 0) +
    system.lines();
  const deadline = Date.now() + 120_000;
  let last = activity();
  let quietSince = Date.now();
  while (Date.now() - quietSince < 3000 && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 250));
    const now = activity();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

/** A log line in a few words: time, severity, event, message, error. */
function summarize(line: string): string {
  try {
    const e = JSON.parse(line) as Record<string, unknown>;
    const labels = (e['logging.googleapis.com/labels'] ?? {}) as Record<
      string,
      unknown
    >;
    const error = e.error as {name?: string; message?: string} | undefined;
    return `  ${String(e.time ?? '')} ${String(e.severity ?? '')} ${String(labels.event ?? '')} ${String(labels.outcome ?? '')} ${String(e.message ?? '')}${error ? ` [${error.name}: ${error.message}]` : ''}`;
  } catch {
    return `  ${line.slice(0, 300)}`;
  }
}

async function main(): Promise<void> {
  // The check's own Firestore client must not look for a metadata server.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const faults = process.argv.includes('--faults');
  const users = Math.max(2, Math.round(numberFromEnv('LOAD_USERS', 50)));
  const seconds = numberFromEnv('LOAD_SECONDS', 60);
  const rate = numberFromEnv('FAULT_RATE', 0.1);
  const seed = Math.round(numberFromEnv('FAULT_SEED', 1));
  console.log(`Machine: ${machine()}`);
  console.log(
    `${faults ? 'Faults' : 'Load'}: ${users} users, ${seconds} s` +
      (faults ? `, fault rate ${rate}, seed ${seed}` : '') +
      `, function NODE_OPTIONS=${functionNodeOptions() || '(none)'}`,
  );
  const system = await startProofSystem({
    users,
    proxy: faults,
    settings: {RATE_LIMIT_PER_MINUTE: process.env.LOAD_RATE_LIMIT ?? '0'},
  });
  let failed = false;
  try {
    if (faults) {
      system.fake.setRandomFaults({rate, seed});
      system.proxy!.setFaults({rate, seed: seed + 1});
    }
    const result = await runLoad(system, {users, seconds});
    // Stop injecting, and let the calls the load stopped waiting for finish.
    system.fake.setRandomFaults(undefined);
    system.proxy?.setFaults(undefined);
    await settle(system);
    const peak = system.peakRssMiB();
    // The scheduled reconciliation, once, before the state is judged: it
    // settles what the faults left unsettled (docs/grants.md).
    // A run that met a Firestore call the faults left hanging reports it;
    // the schedule would run again: so does this, up to 3 times.
    let reconciled = await system.reconcile();
    for (let i = 0; i < 2 && !/"errors":\[\]/.test(reconciled.body); i++) {
      await new Promise(r => setTimeout(r, 5_000));
      reconciled = await system.reconcile();
    }

    const sets = system.fake.calls(
      'cloudresourcemanager.projects.setIamPolicy',
    );
    const granted = grantedBindings(system.fake);
    const requests = await storedRequests(
      system.emulator.host,
      system.collection,
    );
    const grants = await storedGrants(
      system.emulator.host,
      system.grantsCollection,
    );
    const failedAnswers = result.answers.filter(a => a.status >= 300);
    const noAnswer = [...result.noAnswer.values()].reduce((n, c) => n + c, 0);

    console.log('\n' + endpointTable(result.answers, result.seconds));
    if (noAnswer > 0) {
      console.log(
        '\nNo answer: ' +
          [...result.noAnswer].map(([k, n]) => `${k} ×${n}`).join(', '),
      );
    }
    const figures: string[][] = [
      [
        'throughput',
        `${(result.answers.length / result.seconds).toFixed(1)} req/s`,
        `${result.answers.length} answers in ${result.seconds.toFixed(1)} s`,
      ],
      [
        'errors',
        String(failedAnswers.length + noAnswer),
        `${failedAnswers.length} non-2xx, ${noAnswer} without an answer`,
      ],
      [
        'peak RSS of the function',
        peak === undefined ? 'n/a' : `${peak.toFixed(1)} MiB`,
        `VmHWM; target < ${RSS_TARGET_MIB} MiB`,
      ],
      [
        'IAM writes per activation',
        (sets.length / Math.max(1, result.activations.length)).toFixed(2),
        `${sets.length} setIamPolicy calls (${sets.filter(s => s.status === 200).length} answered 200), ${result.activations.length} activations answered 200`,
      ],
      ['mails sent', String(system.mails()), 'to a local SMTP server'],
      [
        'requests stored',
        String(requests.length),
        Object.entries(checkRequests(requests, granted).states)
          .map(([s, n]) => `${s} ${n}`)
          .join(', '),
      ],
    ];
    if (faults) {
      const byKind = (list: Array<{kind: string; applied?: boolean}>) => {
        const m = new Map<string, number>();
        for (const f of list) {
          const k =
            f.applied === undefined
              ? f.kind
              : `${f.kind} ${f.applied ? 'after' : 'before'}`;
          m.set(k, (m.get(k) ?? 0) + 1);
        }
        return [...m].map(([k, n]) => `${k} ×${n}`).join(', ');
      };
      const proxyCalls = [...system.proxy!.calls.values()].reduce(
        (n, c) => n + c,
        0,
      );
      figures.push(
        [
          'Google faults injected',
          `${system.fake.injected.length} of ${system.fake.requests.length}`,
          byKind(system.fake.injected),
        ],
        [
          'Firestore faults injected',
          `${system.proxy!.injected.length} of ${proxyCalls}`,
          byKind(system.proxy!.injected),
        ],
      );
    }
    console.log('\n' + table(['figure', 'value', 'how'], figures));

    const invariants: Invariant[] = [];
    if (faults) {
      const unclear = failedAnswers.filter(
        a =>
          ![409, 429, 503].includes(a.status) || !isErrorJson(a.body, a.status),
      );
      invariants.push(
        {
          name: 'no 500',
          ok: !failedAnswers.some(a => a.status >= 500 && a.status !== 503),
          detail: `${failedAnswers.filter(a => a.status === 503).length} answered 503`,
        },
        {
          name: 'every failure a 409, 429 or 503 with our error JSON',
          ok: unclear.length === 0 && noAnswer === 0,
          detail:
            unclear.length === 0 && noAnswer === 0
              ? `${failedAnswers.length} failures, all clear`
              : `${unclear.length} unclear (${unclear
                  .slice(0, 3)
                  .map(a => `${a.endpoint} ${a.status} ${a.body.slice(0, 120)}`)
                  .join('; ')}), ${noAnswer} without an answer`,
        },
      );
    } else {
      invariants.push({
        name: 'no errors',
        ok: failedAnswers.length + noAnswer === 0,
        detail: failedAnswers
          .slice(0, 3)
          .map(a => `${a.endpoint} ${a.status} ${a.body.slice(0, 120)}`)
          .join('; '),
      });
    }
    invariants.push({
      name: `peak RSS < ${RSS_TARGET_MIB} MiB`,
      ok: peak !== undefined && peak < RSS_TARGET_MIB,
      detail: peak === undefined ? 'no /proc here' : `${peak.toFixed(1)} MiB`,
    });
    invariants.push(
      ...checkBindings(granted, result.activations),
      ...checkRequests(requests, granted).invariants,
      {
        name: 'reconciliation ran',
        ok: reconciled.status === 200,
        detail: `${reconciled.status} ${reconciled.body.slice(0, 200)}`,
      },
      ...checkGrants(grants, granted, Date.now()),
    );
    invariants.push({
      name: faults
        ? 'ERROR lines the function logged (faults make some)'
        : 'the function logged no ERROR',
      ok: faults || system.errorLines.length === 0,
      detail:
        system.errorLines.length === 0
          ? ''
          : `${system.errorLines.length} lines, first: ${system.errorLines[0]!.slice(0, 300)}`,
    });
    console.log('\n' + invariantTable(invariants));
    const {contradicting} = checkRequests(requests, granted);
    for (const id of contradicting.slice(0, 3)) {
      console.log(`\nWhat the function logged about request ${id}:`);
      for (const line of system.linesWith(id)) console.log(summarize(line));
    }
    failed = invariants.some(i => !i.ok);
  } finally {
    await system.stop();
  }
  if (failed) {
    console.log('\nAn invariant failed.');
    process.exitCode = 1;
  }
}

main().catch(err => {
  console.error(err);
  process.exitCode = 1;
});

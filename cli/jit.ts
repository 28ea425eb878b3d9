#!/usr/bin/env node
/**
 * `jit`: JIT Access from a terminal or a pipeline (docs/cli.md). It calls
 * the same JSON API as the web page, through IAP, with an ID token for IAP's
 * OAuth client: from `--token-command` (e.g. `gcloud auth
 * print-identity-token`), or, with `--audience`, from Application Default
 * Credentials (service accounts, workload identity federation).
 *
 * Exit codes a pipeline can act on: 0 done; 2 wrong usage; 3 refused (the
 * server's 4xx, a request denied, withdrawn or expired); 4 not
 * authenticated; 5 still pending when --wait timed out; 6 unreachable or
 * unavailable (network, 5xx). Errors are the server's messages.
 */
import {execFile} from 'node:child_process';
import {Command, CommanderError, Option} from 'commander';
import type {
  AccessRequest,
  Entitlement,
  Grant,
  GrantsResponse,
  RequestsResponse,
  RevokeResponse,
  RolesResponse,
  SelfActivateResponse,
} from '../shared/api';

export const EXIT = {
  ok: 0,
  usage: 2,
  refused: 3,
  unauthenticated: 4,
  pending: 5,
  unreachable: 6,
} as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

interface Globals {
  url?: string;
  tokenCommand?: string;
  audience?: string;
  json?: boolean;
}

// ---- authentication --------------------------------------------------------

function runTokenCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      {timeout: 60_000, maxBuffer: 1024 * 1024},
      (error, stdout, stderr) => {
        if (error) {
          const why = (stderr || error.message).trim().split('\n')[0];
          reject(
            new CliError(
              `The token command failed: ${why}`,
              EXIT.unauthenticated,
            ),
          );
          return;
        }
        const token = stdout.trim();
        if (!token) {
          reject(
            new CliError(
              'The token command printed no token',
              EXIT.unauthenticated,
            ),
          );
          return;
        }
        resolve(token);
      },
    );
  });
}

/** An ID token for IAP, from Application Default Credentials. */
async function adcToken(audience: string): Promise<string> {
  try {
    const {GoogleAuth} = await import('google-auth-library');
    const client = await new GoogleAuth().getIdTokenClient(audience);
    return await client.idTokenProvider.fetchIdToken(audience);
  } catch (e) {
    throw new CliError(
      `No ID token from Application Default Credentials for audience ${audience}: ${(e as Error).message}`,
      EXIT.unauthenticated,
    );
  }
}

async function token(g: Globals): Promise<string> {
  if (g.tokenCommand) return runTokenCommand(g.tokenCommand);
  if (g.audience) return adcToken(g.audience);
  throw new CliError(
    'Give --token-command (e.g. "gcloud auth print-identity-token") or --audience (the IAP OAuth client ID, for Application Default Credentials); see docs/cli.md',
    EXIT.usage,
  );
}

// ---- the API ---------------------------------------------------------------

interface Api {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

async function api(g: Globals): Promise<Api> {
  if (!g.url) {
    throw new CliError(
      'Give --url (or JIT_URL): the address of JIT Access',
      EXIT.usage,
    );
  }
  let base: URL;
  try {
    base = new URL(g.url);
  } catch {
    throw new CliError(`--url is not a URL: ${g.url}`, EXIT.usage);
  }
  const bearer = await token(g);
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
      let res: Response;
      try {
        res = await fetch(new URL(path, base), {
          method,
          headers: {
            // IAP takes the token from Proxy-Authorization too; Authorization
            // is what Google documents first.
            Authorization: `Bearer ${bearer}`,
            'X-JIT-Access': '1',
            ...(method === 'POST' ? {'Content-Type': 'application/json'} : {}),
          },
          body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
          redirect: 'manual',
          signal: AbortSignal.timeout(120_000),
        });
      } catch (e) {
        const cause = (e as {cause?: {code?: string}}).cause?.code;
        throw new CliError(
          `Cannot reach ${base.origin}: ${cause ?? (e as Error).message}`,
          EXIT.unreachable,
        );
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (res.ok && parsed !== undefined) return parsed as T;
      const message =
        (parsed as {error?: {message?: string}} | undefined)?.error?.message ??
        (res.status >= 300 && res.status < 400
          ? `HTTP ${res.status}: IAP sent a sign-in page; the token is missing or not for this IAP (see docs/cli.md)`
          : `HTTP ${res.status}: the answer is not JIT Access's (is --url right?)`);
      const code =
        res.status === 401 || (res.status >= 300 && res.status < 400)
          ? EXIT.unauthenticated
          : res.status >= 500
            ? EXIT.unreachable
            : EXIT.refused;
      throw new CliError(message, code);
    },
  };
}

// ---- input and output ------------------------------------------------------

/** `30m`, `1h`, `1h30m` or a number of minutes. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m?)?$/.exec(text.trim());
  const minutes = m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
  if (!m || !(minutes > 0)) {
    throw new CliError(
      `Not a duration: ${text} (use 30m, 1h, 1h30m or minutes)`,
      EXIT.usage,
    );
  }
  return minutes;
}

/** Seconds, for --timeout and --poll: `90`, `90s`, `5m`, `1h`. */
function parseSeconds(text: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m)
    throw new CliError(`Not a time: ${text} (use 90s, 5m or 1h)`, EXIT.usage);
  return (
    Number(m[1]) * {s: 1, m: 60, h: 3600}[(m[2] ?? 's') as 's' | 'm' | 'h']
  );
}

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function print(g: Globals, value: unknown, human: () => string): void {
  process.stdout.write(
    (g.json ? JSON.stringify(value, null, 2) : human()) + '\n',
  );
}

function requestRows(requests: AccessRequest[]): string {
  return table(
    ['ID', 'STATE', 'PROJECT', 'ROLE', 'REQUESTER', 'APPROVALS', 'CREATED'],
    requests.map(r => [
      r.id,
      r.state,
      r.project,
      r.role,
      r.requester,
      `${r.approvals.length}/${r.requiredApprovals}`,
      r.createdAt,
    ]),
  );
}

function requestText(r: AccessRequest): string {
  const lines = [
    `Request ${r.id}: ${r.state}`,
    `  ${r.role} on ${r.project}${r.resourceCondition ? ` (${r.resourceCondition})` : ''} for ${r.requester}`,
    `  approvals ${r.approvals.length} of ${r.requiredApprovals} (reviewers: ${r.reviewers.join(', ')})`,
  ];
  if (r.activation) {
    lines.push(`  active ${r.activation.start} until ${r.activation.end}`);
  }
  if (r.reason) lines.push(`  reason: ${r.reason}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n');
}

function grantRows(grants: Grant[]): string {
  return table(
    ['ID', 'STATE', 'PROJECT', 'ROLE', 'USER', 'END', 'ORIGIN'],
    grants.map(g => [
      g.id,
      g.externallyModified ? `${g.state} (changed outside)` : g.state,
      g.project,
      g.role,
      g.user,
      g.end,
      g.origin === 'self' ? 'self' : `request ${g.origin}`,
    ]),
  );
}

// ---- --wait ------------------------------------------------------------------

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Polls a request until it is ACTIVE (resolves), DENIED, WITHDRAWN or
 * EXPIRED (refused), or the timeout passes (pending). A progress line goes
 * to stderr whenever the state or the approvals change.
 */
async function waitFor(
  client: Api,
  id: string,
  timeoutS: number,
  pollS: number,
): Promise<AccessRequest> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const r = await client.call<AccessRequest>(
      'GET',
      `/api/requests/${encodeURIComponent(id)}`,
    );
    const progress = `${r.state}, ${r.approvals.length} of ${r.requiredApprovals} approvals`;
    if (progress !== last) {
      process.stderr.write(
        `waiting for request ${id}: ${progress} (${Math.round((Date.now() - started) / 1000)} s)\n`,
      );
      last = progress;
    }
    if (r.state === 'ACTIVE') return r;
    if (r.state === 'DENIED') {
      throw new CliError(
        `Request ${id} was denied by ${r.decidedBy ?? 'a reviewer'}: ${r.reason ?? ''}`,
        EXIT.refused,
      );
    }
    if (r.state === 'WITHDRAWN' || r.state === 'EXPIRED') {
      throw new CliError(`Request ${id} is ${r.state}`, EXIT.refused);
    }
    if (Date.now() - started + pollS * 1000 > timeoutS * 1000) {
      throw new CliError(
        `Request ${id} is still ${r.state} after ${timeoutS} s; run jit request-status ${id} or wait again`,
        EXIT.pending,
      );
    }
    await sleep(pollS * 1000);
  }
}

// ---- the commands ------------------------------------------------------------

const seg = encodeURIComponent;

export function makeProgram(): Command {
  const program = new Command('jit')
    .description(
      'Just-in-time access to Google Cloud roles, through JIT Access (docs/cli.md)',
    )
    .addOption(
      new Option('--url <url>', 'the address of JIT Access').env('JIT_URL'),
    )
    .addOption(
      new Option(
        '--token-command <command>',
        'a command printing an ID token for IAP, e.g. "gcloud auth print-identity-token"',
      ).env('JIT_TOKEN_COMMAND'),
    )
    .addOption(
      new Option(
        '--audience <client-id>',
        "IAP's OAuth client ID: get the ID token from Application Default Credentials",
      ).env('JIT_AUDIENCE'),
    )
    .option('--json', 'print the API answer as JSON')
    .showHelpAfterError()
    .exitOverride();

  const globals = (cmd: Command) => cmd.optsWithGlobals() as Globals;

  program
    .command('roles')
    .description('list your eligible roles on a project')
    .requiredOption('--project <id>', 'the project')
    .action(async (o: {project: string}, cmd: Command) => {
      const g = globals(cmd);
      const client = await api(g);
      const set = await client.call<RolesResponse>(
        'GET',
        `/api/projects/${seg(o.project)}/roles`,
      );
      for (const w of set.warnings) process.stderr.write(`warning: ${w}\n`);
      print(g, set, () =>
        table(
          ['ROLE', 'ACTIVATION', 'STATUS', 'UNTIL', 'CONDITION'],
          set.roles.map((e: Entitlement) => [
            e.role,
            e.activationType === 'JIT' ? 'self' : 'approval',
            e.status,
            e.validUntil ?? '',
            e.resourceCondition ?? '',
          ]),
        ),
      );
    });

  program
    .command('activate')
    .description('activate roles you may self-approve')
    .requiredOption('--project <id>', 'the project')
    .requiredOption('--role <role...>', 'one or more roles')
    .requiredOption('--justification <text>', 'why you need them')
    .requiredOption('--duration <time>', 'how long: 30m, 1h, 1h30m')
    .action(
      async (
        o: {
          project: string;
          role: string[];
          justification: string;
          duration: string;
        },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const durationMinutes = parseDuration(o.duration);
        const client = await api(g);
        const answer = await client.call<SelfActivateResponse>(
          'POST',
          `/api/projects/${seg(o.project)}/roles/self-activate`,
          {roles: o.role, justification: o.justification, durationMinutes},
        );
        print(g, answer, () =>
          table(
            ['ROLE', 'PROJECT', 'UNTIL', 'GRANT'],
            answer.activations.map(a => [a.role, a.project, a.end, a.grantId]),
          ),
        );
      },
    );

  program
    .command('request')
    .description(
      'request a role that needs approval, and optionally wait for it',
    )
    .requiredOption('--project <id>', 'the project')
    .requiredOption('--role <role>', 'the role')
    .option(
      '--condition <expression>',
      'its resource condition, as `jit roles` lists it',
    )
    .requiredOption('--reviewers <emails>', 'comma-separated reviewers')
    .requiredOption('--justification <text>', 'why you need it')
    .requiredOption('--duration <time>', 'how long: 30m, 1h, 1h30m')
    .option('--wait', 'wait until it is active, denied or expired')
    .option('--timeout <time>', 'how long --wait waits', '1h')
    .option('--poll <time>', 'how often --wait asks', '5s')
    .action(
      async (
        o: {
          project: string;
          role: string;
          condition?: string;
          reviewers: string;
          justification: string;
          duration: string;
          wait?: boolean;
          timeout: string;
          poll: string;
        },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const durationMinutes = parseDuration(o.duration);
        const timeoutS = parseSeconds(o.timeout);
        const pollS = Math.max(1, parseSeconds(o.poll));
        const client = await api(g);
        const created = await client.call<AccessRequest>(
          'POST',
          `/api/projects/${seg(o.project)}/roles/request`,
          {
            role: o.role,
            ...(o.condition === undefined
              ? {}
              : {resourceCondition: o.condition}),
            reviewers: o.reviewers
              .split(',')
              .map(r => r.trim().toLowerCase())
              .filter(Boolean),
            justification: o.justification,
            durationMinutes,
          },
        );
        if (!o.wait) {
          print(g, created, () => requestText(created));
          return;
        }
        process.stderr.write(
          `request ${created.id} sent to ${created.reviewers.join(', ')}\n`,
        );
        const done = await waitFor(client, created.id, timeoutS, pollS);
        print(g, done, () => requestText(done));
      },
    );

  program
    .command('request-status')
    .description('show one request')
    .argument('<id>', 'the request')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await (
        await api(g)
      ).call<AccessRequest>('GET', `/api/requests/${seg(id)}`);
      print(g, r, () => requestText(r));
    });

  program
    .command('requests')
    .description('list your requests, or those waiting for you')
    .option('--waiting-for-me', 'the requests you review')
    .option('--state <state>', 'PENDING, ACTIVE, DENIED, …')
    .action(
      async (o: {waitingForMe?: boolean; state?: string}, cmd: Command) => {
        const g = globals(cmd);
        const query = new URLSearchParams({
          as: o.waitingForMe ? 'reviewer' : 'requester',
          ...(o.state ? {state: o.state.toUpperCase()} : {}),
        });
        const answer = await (
          await api(g)
        ).call<RequestsResponse>('GET', `/api/requests?${query.toString()}`);
        print(g, answer, () => requestRows(answer.requests));
      },
    );

  for (const [name, description, withText] of [
    ['approve', 'approve a request you review', 'comment'],
    ['deny', 'deny a request you review (a reason is required)', 'reason'],
    ['withdraw', 'withdraw your own request', undefined],
  ] as const) {
    const command = program
      .command(name)
      .description(description)
      .argument('<id>', 'the request');
    if (withText === 'comment') command.option('--comment <text>', 'a comment');
    if (withText === 'reason') command.requiredOption('--reason <text>', 'why');
    command.action(
      async (
        id: string,
        o: {comment?: string; reason?: string},
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const body =
          withText === 'comment'
            ? o.comment === undefined
              ? {}
              : {comment: o.comment}
            : withText === 'reason'
              ? {reason: o.reason}
              : {};
        const r = await (
          await api(g)
        ).call<AccessRequest>('POST', `/api/requests/${seg(id)}/${name}`, body);
        print(g, r, () => requestText(r));
      },
    );
  }

  program
    .command('grants')
    .description(
      'list grants: yours, those you approved, or (auditors) everyone’s',
    )
    .addOption(
      new Option('--as <view>', 'whose')
        .choices(['holder', 'reviewer', 'auditor'])
        .default('holder'),
    )
    .option('--state <state>', 'ACTIVE, EXPIRED, REVOKED, FAILED, ACTIVATING')
    .option('--project <id>', 'one project')
    .option('--user <email>', 'one holder (auditors)')
    .action(
      async (
        o: {as: string; state?: string; project?: string; user?: string},
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const query = new URLSearchParams({
          as: o.as,
          ...(o.state ? {state: o.state.toUpperCase()} : {}),
          ...(o.project ? {project: o.project} : {}),
          ...(o.user ? {user: o.user} : {}),
        });
        const answer = await (
          await api(g)
        ).call<GrantsResponse>('GET', `/api/grants?${query.toString()}`);
        print(g, answer, () => grantRows(answer.grants));
      },
    );

  program
    .command('revoke')
    .description('end a grant now (auditors: anyone’s, with a reason)')
    .argument('<id>', 'the grant')
    .option('--reason <text>', 'why')
    .action(async (id: string, o: {reason?: string}, cmd: Command) => {
      const g = globals(cmd);
      const answer = await (
        await api(g)
      ).call<RevokeResponse>(
        'POST',
        `/api/grants/${seg(id)}/revoke`,
        o.reason === undefined ? {} : {reason: o.reason},
      );
      print(g, answer, () =>
        [
          `Grant ${answer.grant.id}: ${answer.grant.role} on ${answer.grant.project} for ${answer.grant.user} ended.`,
          answer.note,
        ].join('\n'),
      );
    });

  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await makeProgram().parseAsync(argv, {from: 'user'});
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed the message (or the help) already.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`jit: ${e.message}\n`);
      return e.code;
    }
    process.stderr.write(`jit: ${(e as Error).message}\n`);
    return EXIT.unreachable;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}

/**
 * The `jit` command line against the sandbox of `npm start`, in child
 * processes as a person or a pipeline runs it: tokens from the IAP
 * stand-in's /sandbox/token (as `gcloud auth print-identity-token` gives
 * them), every command, `--wait` across an approval given by another CLI
 * user, and the exit codes a pipeline acts on.
 */
import {execFile, spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {Sandbox} from '../../sandbox/sandbox';
import {startTestSandbox, type TestSandbox} from '../support/sandbox';
import {describeIf} from '../support/skip';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'cli', 'jit.js');
const built =
  fs.existsSync(CLI) &&
  fs.existsSync(path.join(ROOT, 'build', 'functions', 'index.js'));

// Each command is a process of its own, and the sandbox runs beside other
// suites: generous bounds.
jest.setTimeout(180_000);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describeIf(built, 'the build is missing: run npm run build')('jit', () => {
  let sandbox: Sandbox;
  let work: string;
  let started: TestSandbox | undefined;

  beforeAll(async () => {
    started = await startTestSandbox('cli');
    sandbox = started.sandbox;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-cli-'));
    // Each user's token, from the stand-in as `gcloud auth
    // print-identity-token` gets one from Google; the token command prints it.
    for (const user of sandbox.users.map(u => u.email)) {
      const res = await fetch(`${sandbox.url}/sandbox/token?as=${user}`);
      expect(res.status).toBe(200);
      fs.writeFileSync(path.join(work, `${user}.token`), await res.text());
    }
  });

  afterEach(() => started?.printIfFailed());

  afterAll(async () => {
    await sandbox?.stop();
    if (work) fs.rmSync(work, {recursive: true, force: true});
  });

  const tokenCommand = (user: string) =>
    `cat '${path.join(work, `${user}.token`)}'`;

  function jit(
    user: string,
    args: string[],
    extra: string[] = [],
  ): Promise<Result> {
    return new Promise(resolve => {
      execFile(
        process.execPath,
        [
          CLI,
          '--url',
          sandbox.url,
          '--token-command',
          tokenCommand(user),
          ...extra,
          ...args,
        ],
        {timeout: 150_000},
        (error, stdout, stderr) =>
          resolve({
            code: error
              ? typeof error.code === 'number'
                ? error.code
                : -1
              : 0,
            stdout,
            stderr,
          }),
      );
    });
  }

  function bindingOf(project: string, role: string, user: string) {
    return (
      sandbox.fake.world.policies?.[`projects/${project}`]?.bindings ?? []
    ).find(
      b =>
        b.role === role &&
        b.members.includes(`user:${user}`) &&
        b.condition?.title === 'JIT access activation',
    );
  }

  /**
   * Starts `jit … request … --wait` as `user`; resolves once it says which
   * request it waits for. Its exit is listened for from the start: it may
   * exit before the reviewer's own command has returned.
   */
  async function startWaiting(user: string, args: string[]) {
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--url',
        sandbox.url,
        '--token-command',
        tokenCommand(user),
        ...args,
      ],
      {stdio: ['ignore', 'pipe', 'pipe']},
    );
    const exited = new Promise<number | null>(r => child.once('exit', r));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    const id = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', c => {
        stderr += c;
        const m = /waiting for request (\S+):/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
      setTimeout(
        () => reject(new Error(`no progress line in 120 s: ${stderr}`)),
        120_000,
      ).unref();
    });
    return {id, exited, stdout: () => stdout, stderr: () => stderr};
  }

  it('lists roles as a table, and as the API answers them with --json', async () => {
    const human = await jit('alice@example.com', [
      'roles',
      '--project',
      'shop-dev',
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ROLE\s+ACTIVATION\s+STATUS/);
    expect(human.stdout).toMatch(/roles\/compute\.viewer\s+self\s+ELIGIBLE/);
    const json = await jit(
      'alice@example.com',
      ['roles', '--project', 'shop-dev'],
      ['--json'],
    );
    expect(JSON.parse(json.stdout).roles).toContainEqual(
      expect.objectContaining({
        role: 'roles/compute.viewer',
        activationType: 'JIT',
      }),
    );
  });

  it('self-activates, lists the grant and ends it early; ending it again is refused (exit 3)', async () => {
    const done = await jit(
      'alice@example.com',
      [
        'activate',
        '--project',
        'shop-dev',
        '--role',
        'roles/compute.viewer',
        '--justification',
        'b/42 from the CLI',
        '--duration',
        '30m',
      ],
      ['--json'],
    );
    expect(done.code).toBe(0);
    const grantId = JSON.parse(done.stdout).activations[0].grantId as string;
    expect(
      bindingOf('shop-dev', 'roles/compute.viewer', 'alice@example.com')
        ?.condition?.description,
    ).toBe('Self-approved, justification: b/42 from the CLI');
    const grants = await jit('alice@example.com', [
      'grants',
      '--state',
      'active',
    ]);
    expect(grants.stdout).toContain(grantId);
    const revoked = await jit('alice@example.com', ['revoke', grantId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/typically 2, up to 7/);
    expect(
      bindingOf('shop-dev', 'roles/compute.viewer', 'alice@example.com'),
    ).toBeUndefined();
    const again = await jit('alice@example.com', ['revoke', grantId]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^jit: Grant .* has already been revoked/);
  });

  it('waits for a request while another CLI user approves it, then exits 0 with the role active', async () => {
    const waiting = await startWaiting('alice@example.com', [
      '--json',
      'request',
      '--project',
      'shop-prod',
      '--role',
      'roles/compute.admin',
      '--reviewers',
      'bob@example.com',
      '--justification',
      'incident 7',
      '--duration',
      '1h',
      '--wait',
      '--poll',
      '1s',
      '--timeout',
      '150s',
    ]);
    const id = waiting.id;
    const listed = await jit('bob@example.com', [
      'requests',
      '--waiting-for-me',
    ]);
    expect(listed.stdout).toContain(id);
    const approved = await jit('bob@example.com', [
      'approve',
      id,
      '--comment',
      'go ahead',
    ]);
    expect(approved.code).toBe(0);
    expect(await waiting.exited).toBe(0);
    expect(JSON.parse(waiting.stdout())).toMatchObject({id, state: 'ACTIVE'});
    expect(waiting.stderr()).toMatch(/PENDING, 0 of 1 approvals/);
    expect(
      bindingOf('shop-prod', 'roles/compute.admin', 'alice@example.com'),
    ).toBeDefined();
  });

  it('exits 3 when the request it waits for is denied, and 5 when the wait times out', async () => {
    const denied = await startWaiting('dave@example.com', [
      'request',
      '--project',
      'billing-prod',
      '--role',
      'roles/bigquery.admin',
      '--reviewers',
      'erin@example.com',
      '--justification',
      'month end',
      '--duration',
      '1h',
      '--wait',
      '--poll',
      '1s',
    ]);
    const id = denied.id;
    expect(
      (
        await jit('erin@example.com', [
          'deny',
          id,
          '--reason',
          'use the report',
        ])
      ).code,
    ).toBe(0);
    expect(await denied.exited).toBe(3);
    expect(denied.stderr()).toContain(
      'was denied by erin@example.com: use the report',
    );

    const pending = await jit('carol@example.com', [
      'request',
      '--project',
      'shop-prod',
      '--role',
      'roles/compute.admin',
      '--reviewers',
      'bob@example.com',
      '--justification',
      'later',
      '--duration',
      '1h',
      '--wait',
      '--poll',
      '1s',
      '--timeout',
      '2s',
    ]);
    expect(pending.code).toBe(5);
    expect(pending.stderr).toMatch(/is still PENDING after 2 s/);
  });

  it('answers with the server’s message and a code a pipeline can act on', async () => {
    const refused = await jit('frank@example.com', [
      'activate',
      '--project',
      'shop-dev',
      '--role',
      'roles/compute.viewer',
      '--justification',
      'x',
      '--duration',
      '30m',
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^jit: .*not eligible/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    // An id that starts with "-" (older ids may) reaches the server after
    // `--`, rather than being read as an option (exit 2).
    const dashed = await jit('erin@example.com', [
      'deny',
      '--reason',
      'x',
      '--',
      `-${'A'.repeat(21)}`,
    ]);
    expect(dashed.code).toBe(3);
    expect(dashed.stderr).toMatch(/^jit: Request not found/);

    const forged = await new Promise<Result>(resolve =>
      execFile(
        process.execPath,
        [
          CLI,
          '--url',
          sandbox.url,
          '--token-command',
          'echo forged.token',
          'roles',
          '--project',
          'shop-dev',
        ],
        (error, stdout, stderr) =>
          resolve({code: (error?.code as number) ?? 0, stdout, stderr}),
      ),
    );
    expect(forged.code).toBe(4);
    expect(forged.stderr).toMatch(/not one this IAP stand-in issued/);

    const unreachable = await new Promise<Result>(resolve =>
      execFile(
        process.execPath,
        [
          CLI,
          '--url',
          'http://127.0.0.1:9',
          '--token-command',
          'echo t.t',
          'roles',
          '--project',
          'shop-dev',
        ],
        (error, stdout, stderr) =>
          resolve({code: (error?.code as number) ?? 0, stdout, stderr}),
      ),
    );
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr).toMatch(
      /^jit: Cannot reach http:\/\/127\.0\.0\.1:9/,
    );

    const usage = await jit('alice@example.com', [
      'activate',
      '--project',
      'shop-dev',
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option/);
  });
});

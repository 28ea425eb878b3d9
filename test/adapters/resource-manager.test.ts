import {
  ConflictError,
  InvalidArgumentError,
  UnavailableError,
} from '../../shared/errors';
import {GooglePermissionError} from '../../shared/errors';
import {
  encodeRequestReason,
  makeProjectIamClient,
  makeProjectSearchClient,
} from '../../shared/google/resource-manager';
import {makeMemoryLogger} from '../../shared/log';
import type {IamBinding} from '../../shared/ports';
import {FAST, useFake} from './fake';

const t = useFake();

const activation: IamBinding = {
  role: 'roles/storage.admin',
  members: ['user:alice@example.com'],
  condition: {
    title: 'JIT access activation',
    description: 'Self-approved, justification: bug 1',
    expression:
      '(request.time >= timestamp("2040-01-01T00:00:00Z") && request.time < timestamp("2040-01-01T00:05:00Z"))',
  },
};

describe('project IAM policies', () => {
  it('reads the policy at version 3 with its conditions, etag and audit configs', async () => {
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    const policy = await iam.getIamPolicy('alpha-project');
    expect(policy.version).toBe(3);
    expect(policy.etag).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(policy.bindings).toEqual(
      t.fake.world.policies?.['projects/alpha-project']?.bindings,
    );
    expect(policy.auditConfigs).toHaveLength(1);
    expect(
      t.fake.calls('cloudresourcemanager.projects.getIamPolicy')[0]?.body,
    ).toEqual({options: {requestedPolicyVersion: 3}});
  });

  it('writes with the etag it read, sends the reason, and gets a new etag', async () => {
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    const read = await iam.getIamPolicy('alpha-project');
    const written = await iam.setIamPolicy(
      'alpha-project',
      {...read, bindings: [...(read.bindings ?? []), activation]},
      {requestReason: 'Approved by bob@example.com, justification: bug ü 100%'},
    );
    expect(written.etag).not.toBe(read.etag);
    expect(written.bindings).toContainEqual(activation);
    const call = t.fake.calls('cloudresourcemanager.projects.setIamPolicy')[0];
    expect(call?.headers['x-goog-request-reason']).toBe(
      'Approved by bob@example.com, justification: bug %C3%BC 100%25',
    );
    expect(
      (call?.body as {policy: {etag: string; version: number}}).policy,
    ).toMatchObject({etag: read.etag, version: 3});
    // Audit configs are never part of the write (default mask bindings,etag).
    expect((await iam.getIamPolicy('alpha-project')).auditConfigs).toEqual(
      read.auditConfigs,
    );
  });

  it('surfaces a stale etag as ConflictError without retrying', async () => {
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    const read = await iam.getIamPolicy('alpha-project');
    await iam.setIamPolicy('alpha-project', read);
    await expect(
      iam.setIamPolicy('alpha-project', {...read, bindings: [activation]}),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(
      t.fake
        .calls('cloudresourcemanager.projects.setIamPolicy')
        .map(c => c.status),
    ).toEqual([200, 409]);
  });

  it.each([409, 412])(
    'surfaces an injected %i on setIamPolicy as ConflictError',
    async status => {
      t.fake.failNext('cloudresourcemanager.projects.setIamPolicy', status);
      const iam = makeProjectIamClient(t.config, t.log, FAST);
      const read = await iam.getIamPolicy('alpha-project');
      const err = await iam
        .setIamPolicy('alpha-project', read)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).not.toHaveProperty('code');
    },
  );

  it.each([429, 500, 503])('retries a %i and then succeeds', async status => {
    t.fake.failNext('cloudresourcemanager.projects.getIamPolicy', status, 2);
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    await iam.getIamPolicy('alpha-project');
    expect(
      t.fake
        .calls('cloudresourcemanager.projects.getIamPolicy')
        .map(c => c.status),
    ).toEqual([status, status, 200]);
  });

  it('does not retry a 400 and reports it as InvalidArgumentError', async () => {
    t.fake.failNext('cloudresourcemanager.projects.getIamPolicy', 400);
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    await expect(iam.getIamPolicy('alpha-project')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(
      t.fake.calls('cloudresourcemanager.projects.getIamPolicy'),
    ).toHaveLength(1);
  });

  it("answers a refused policy with a fixed message and logs Google's", async () => {
    const memory = makeMemoryLogger();
    const iam = makeProjectIamClient(t.config, memory.logger, FAST);
    const read = await iam.getIamPolicy('alpha-project');
    const err = await iam
      .setIamPolicy('alpha-project', {
        ...read,
        bindings: [...(read.bindings ?? []), {...activation, role: 'notarole'}],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe(
      'Cloud Resource Manager refused the request (setIamPolicy): the policy is not valid',
    );
    // Google's words are not answered (docs/design.md §2.1) ...
    const google = 'Role "notarole" is not a valid role name.';
    expect((err as Error).message).not.toContain('notarole');
    // ... but an operator finds them in the log, with the method.
    const logged = memory.entries().find(e => e.googleMessage !== undefined);
    expect(logged).toMatchObject({
      severity: 'WARNING',
      api: 'cloudresourcemanager.projects.setIamPolicy',
      httpStatus: 400,
      googleMessage: google,
    });
    expect(memory.lines.join('\n')).not.toMatch(/bearer|authorization/i);
  });

  it('gives up within the deadline when the API stays unavailable', async () => {
    t.fake.failNext('cloudresourcemanager.projects.getIamPolicy', 503, 1000);
    t.fake.latencyMs = 50;
    const iam = makeProjectIamClient(t.config, t.log, {
      retry: {
        initialDelayMs: 100,
        maxDelayMs: 100,
        deadlineMs: 400,
        maxAttempts: 100,
      },
    });
    const started = Date.now();
    await expect(iam.getIamPolicy('alpha-project')).rejects.toBeInstanceOf(
      UnavailableError,
    );
    t.fake.latencyMs = 0;
    // It stopped for the deadline, not for the attempts (100 allowed).
    const attempts = t.fake.calls(
      'cloudresourcemanager.projects.getIamPolicy',
    ).length;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(8);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses a conditional binding below version 3 in the fake, as IAM does', async () => {
    const res = await fetch(
      `${t.fake.url}/v3/projects/alpha-project:setIamPolicy`,
      {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({policy: {version: 1, bindings: [activation]}}),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as {error: {status: string}}).error.status).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('names the permission when the service account lacks it', async () => {
    t.fake.world.deniedPermissions = ['resourcemanager.projects.setIamPolicy'];
    const iam = makeProjectIamClient(t.config, t.log, FAST);
    const read = await iam.getIamPolicy('alpha-project');
    const err = await iam
      .setIamPolicy('alpha-project', read)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GooglePermissionError);
    expect((err as GooglePermissionError).permission).toBe(
      'resourcemanager.projects.setIamPolicy',
    );
    expect((err as Error).message).toContain(
      'resourcemanager.projects.setIamPolicy',
    );
  });

  it('encodes a request reason to ASCII', () => {
    expect(encodeRequestReason('a\nb ✓ 5%')).toBe('a%0Ab %E2%9C%93 5%25');
  });
});

describe('project search', () => {
  it('reads every page and keeps only active projects', async () => {
    t.fake.maxPageSize = 1;
    const search = makeProjectSearchClient(t.config, t.log, FAST);
    expect(await search.searchProjects('')).toEqual([
      'alpha-project',
      'beta-project',
      'gamma-project',
    ]);
    expect(t.fake.calls('cloudresourcemanager.projects.search')).toHaveLength(
      4,
    );
  });

  it.each([
    ['parent:folders/2001', ['beta-project']],
    ['id:alpha* id:gamma-project', ['alpha-project', 'gamma-project']],
    ['parent.type:organization AND state:ACTIVE', ['gamma-project']],
  ])('answers %s from the world', async (query, expected) => {
    const search = makeProjectSearchClient(t.config, t.log, FAST);
    expect(await search.searchProjects(query)).toEqual(expected);
  });
});

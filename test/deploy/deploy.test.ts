/**
 * deploy.sh, run against a recording gcloud stand-in that only accepts the
 * commands and flags of the real gcloud (gcloud-commands.json), models a
 * project (describe is NOT_FOUND until create), and refuses a reference to
 * anything that does not exist yet.
 */
import {execFile, execFileSync} from 'node:child_process';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {itIf} from '../support/skip';
import {
  ALL_CALLS,
  Call,
  changing,
  DEFAULT_WORLD,
  flagValue,
  parseEnvYaml,
  PROJECT,
  PROJECT_NUMBER,
  REGION,
  REPO,
  Run,
  Sandbox,
  shape,
  World,
} from './harness';

// Each deploy.sh run starts a hundred stand-in processes: slow on a busy machine.
jest.setTimeout(120000);

const BASE = [`--project=${PROJECT}`, `--region=${REGION}`];
const LB = [
  ...BASE,
  '--topology=lb',
  '--domain=jit.example.com',
  '--dns-zone=example-zone',
];
const MEMBERS = '--iap-members=group:jit-users@example.com,domain:example.com';
const SERVICES_LB = [
  'jit-access-roles',
  'jit-access-activate',
  'jit-access-approve',
  'jit-access-web',
];
const ENV = [
  '# the product settings',
  'JUSTIFICATION_PATTERN=^(b|c)/[0-9]+, or a case',
  'JUSTIFICATION_HINT="Bug, case or ticket"',
  "SMTP_SENDER_NAME=It's JIT",
  'SMTP_SECRET=smtp-password',
  'ACTIVATION_TIMEOUT=60',
  '',
].join('\n');

const sandboxes: Sandbox[] = [];
function sandbox(
  world: World = DEFAULT_WORLD,
  opts?: {withGcloud?: boolean},
): Sandbox {
  const s = new Sandbox(world, opts);
  sandboxes.push(s);
  return s;
}
afterAll(() => sandboxes.forEach(s => s.remove()));

function indexOf(
  calls: Call[],
  predicate: (c: Call) => boolean,
  what: string,
): number {
  const i = calls.findIndex(predicate);
  if (i < 0)
    throw new Error(
      `no call ${what} in:\n${calls.map(c => c.argv.join(' ')).join('\n')}`,
    );
  return i;
}
const byShape = (s: string) => (c: Call) => shape(c.argv) === s;
function expectClean(run: Run): void {
  const refused = run.calls
    .filter(c => c.effect === 'refused')
    .map(c => c.refusal);
  expect(refused).toEqual([]);
  if (run.code !== 0)
    throw new Error(`deploy.sh exited ${run.code}:\n${run.stderr}`);
}
function envOf(call: Call): Record<string, string> {
  return parseEnvYaml(call.files['env-vars-file'] ?? '');
}
function rolesOf(s: Sandbox, resource: string, member: string): string[] {
  const policy = s.model().policies[resource];
  return (policy?.bindings ?? [])
    .filter(b => b.members.includes(member))
    .map(b => b.role)
    .sort();
}
const sa = (name: string) =>
  `serviceAccount:${name}@${PROJECT}.iam.gserviceaccount.com`;
const IAP_AGENT = `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-iap.iam.gserviceaccount.com`;

/**
 * One fresh deployment of each topology, shared by the tests that examine
 * it (each lb run costs about a hundred stand-in calls).
 */
const freshRuns: Partial<
  Record<'single' | 'lb', Promise<{s: Sandbox; run: Run}>>
> = {};
function argsFor(topology: 'single' | 'lb', s: Sandbox): string[] {
  const env = s.writeFile('settings.env', ENV);
  return [...(topology === 'lb' ? LB : BASE), MEMBERS, `--env-file=${env}`];
}
/** The deploys of the functions behind IAP (not the reconcile service). */
function iapDeploys(calls: Run['calls']) {
  return changing(calls).filter(
    c =>
      c.command === 'beta run deploy' &&
      c.argv[3] !== RECONCILE &&
      c.argv[3] !== CHAT,
  );
}
const RECONCILE = 'jit-access-reconcile';
const CHAT = 'jit-access-chat';

function fresh(topology: 'single' | 'lb'): Promise<{s: Sandbox; run: Run}> {
  return (freshRuns[topology] ??= (async () => {
    const s = sandbox();
    return {s, run: await s.deploy(argsFor(topology, s))};
  })());
}

/** Cloud Run's probes on the health checks, as deploy.sh sets them. */
const PROBE_FLAGS = [
  '--startup-probe=httpGet.path=/health/ready,timeoutSeconds=3,periodSeconds=5,failureThreshold=24',
  '--liveness-probe=httpGet.path=/health/alive,timeoutSeconds=3,periodSeconds=30,failureThreshold=3',
];

describe('deploy.sh, single topology', () => {
  let s: Sandbox;
  let first: Run;
  beforeAll(async () => {
    ({s, run: first} = await fresh('single'));
  });

  it('deploys a fresh project with gcloud commands and flags the real gcloud has', () => {
    expectClean(first);
    expect(first.stdout).toContain(
      `Open: https://jit-access-${PROJECT_NUMBER}.${REGION}.run.app`,
    );
  });

  it('deploys one function, target app, from source with IAP and no unauthenticated access', () => {
    const deploys = iapDeploys(first.calls);
    expect(deploys.map(c => c.argv[3])).toEqual(['jit-access']);
    const argv = deploys[0]!.argv;
    expect(argv).toEqual(
      expect.arrayContaining([
        '--function=app',
        '--base-image=nodejs22',
        '--no-allow-unauthenticated',
        '--iap',
        `--source=${REPO}`,
        `--service-account=jit-access@${PROJECT}.iam.gserviceaccount.com`,
      ]),
    );
  });

  it('gives the function a startup probe on /health/ready and a liveness probe on /health/alive', () => {
    const deploy = changing(first.calls).find(
      c => c.command === 'beta run deploy',
    )!;
    expect(deploy.argv).toEqual(expect.arrayContaining(PROBE_FLAGS));
  });

  it('turns on startup CPU boost, for the first request after a scale from zero', () => {
    const deploy = changing(first.calls).find(
      c => c.command === 'beta run deploy',
    )!;
    expect(deploy.argv).toContain('--cpu-boost');
    expect(deploy.argv).not.toContain('--no-cpu-boost');
  });

  it('creates no load balancer, backend service or certificate', () => {
    expect(first.calls.filter(c => c.command?.startsWith('compute '))).toEqual(
      [],
    );
  });

  it('passes the settings intact, commas and quotes included, plus the project and its URL', () => {
    const env = envOf(
      changing(first.calls).find(c => c.command === 'beta run deploy')!,
    );
    expect(env).toEqual({
      JUSTIFICATION_PATTERN: '^(b|c)/[0-9]+, or a case',
      JUSTIFICATION_HINT: 'Bug, case or ticket',
      SMTP_SENDER_NAME: "It's JIT",
      SMTP_SECRET: 'smtp-password',
      ACTIVATION_TIMEOUT: '60',
      RESOURCE_SCOPE: `projects/${PROJECT}`,
      GOOGLE_CLOUD_PROJECT: PROJECT,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: `https://jit-access-${PROJECT_NUMBER}.${REGION}.run.app`,
      PROJECT_NUMBER,
    });
  });

  it('grants the service account what the default catalog, activation and Firestore need, and no more', () => {
    expect(rolesOf(s, `projects/${PROJECT}`, sa('jit-access'))).toEqual([
      'roles/cloudasset.viewer',
      'roles/datastore.user',
      'roles/resourcemanager.projectIamAdmin',
    ]);
    expect(
      rolesOf(s, `secret/${PROJECT}/smtp-password`, sa('jit-access')),
    ).toEqual(['roles/secretmanager.secretAccessor']);
  });

  it('lets the IAP service agent invoke the function, after creating the agent, and gives the members IAP access', () => {
    const run = `run/${PROJECT}/${REGION}/jit-access`;
    expect(rolesOf(s, run, IAP_AGENT)).toEqual(['roles/run.invoker']);
    expect(rolesOf(s, run, 'group:jit-users@example.com')).toEqual([
      'roles/iap.httpsResourceAccessor',
    ]);
    expect(rolesOf(s, run, 'domain:example.com')).toEqual([
      'roles/iap.httpsResourceAccessor',
    ]);
    const agent = indexOf(
      first.calls,
      c => c.command === 'beta services identity create',
      'identity create',
    );
    const invoker = indexOf(
      first.calls,
      c => c.command === 'run services add-iam-policy-binding',
      'invoker grant',
    );
    expect(agent).toBeLessThan(invoker);
  });

  it('creates the Firestore database, then its composite indexes and the TTL policies on deleteAt of requests and grants', () => {
    const db = indexOf(
      first.calls,
      c => c.command === 'firestore databases create',
      'database create',
    );
    const indexes = first.calls
      .map((c, i) => [c, i] as const)
      .filter(([c]) => c.command === 'firestore indexes composite create');
    expect(indexes).toHaveLength(
      (
        JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as {
          indexes: unknown[];
        }
      ).indexes.length,
    );
    indexes.forEach(([, i]) => expect(i).toBeGreaterThan(db));
    const ttls = first.calls.filter(
      c => c.command === 'firestore fields ttls update',
    );
    expect(
      ttls.map(t => t.argv.find(a => a.startsWith('--collection-group='))),
    ).toEqual(['--collection-group=requests', '--collection-group=grants']);
    for (const ttl of ttls) {
      expect(ttl.argv).toEqual(
        expect.arrayContaining(['deleteAt', '--enable-ttl']),
      );
    }
  });

  it('deploys the reconcile service without IAP, with its own account and only the rights reconciliation needs', () => {
    const deploy = changing(first.calls).find(
      c => c.command === 'beta run deploy' && c.argv[3] === RECONCILE,
    )!;
    expect(deploy.argv).toEqual(
      expect.arrayContaining([
        '--function=reconcile',
        '--no-allow-unauthenticated',
        `--service-account=${RECONCILE}@${PROJECT}.iam.gserviceaccount.com`,
      ]),
    );
    expect(deploy.argv).not.toContain('--iap');
    expect(rolesOf(s, `projects/${PROJECT}`, sa(RECONCILE))).toEqual([
      'roles/datastore.user',
      'roles/resourcemanager.projectIamAdmin',
    ]);
    // Only the scheduler's account may invoke it: no IAP agent, no members.
    const policy = s.model().policies[`run/${PROJECT}/${REGION}/${RECONCILE}`];
    expect(policy?.bindings).toEqual([
      {role: 'roles/run.invoker', members: [sa('jit-access-scheduler')]},
    ]);
    expect(
      rolesOf(s, `projects/${PROJECT}`, sa('jit-access-scheduler')),
    ).toEqual([]);
  });

  it('creates the Cloud Scheduler job: every 10 minutes, POST /reconcile with an OIDC token whose audience is the service URL', () => {
    const url = `https://${RECONCILE}-${PROJECT_NUMBER}.${REGION}.run.app`;
    const job = s.model().resources[
      `schedulerJob/${PROJECT}/${REGION}/jit-access-reconcile`
    ] as unknown as {
      schedule: string;
      timeZone: string;
      httpTarget: Record<string, unknown>;
    };
    expect(job.schedule).toBe('*/10 * * * *');
    expect(job.timeZone).toBe('Etc/UTC');
    expect(job.httpTarget).toEqual({
      uri: `${url}/reconcile`,
      httpMethod: 'POST',
      body: '{}',
      headers: {'Content-Type': 'application/json', 'X-JIT-Access': '1'},
      oidcToken: {
        serviceAccountEmail: `jit-access-scheduler@${PROJECT}.iam.gserviceaccount.com`,
        audience: url,
      },
    });
    const invoker = indexOf(
      first.calls,
      c =>
        c.command === 'run services add-iam-policy-binding' &&
        c.argv.includes(RECONCILE),
      'invoker grant',
    );
    const created = indexOf(
      first.calls,
      c => c.command === 'scheduler jobs create http',
      'job create',
    );
    expect(invoker).toBeLessThan(created);
  });

  it('a second run creates nothing and grants nothing', async () => {
    const second = await s.deploy([
      ...BASE,
      MEMBERS,
      `--env-file=${s.writeFile('settings.env', ENV)}`,
    ]);
    expectClean(second);
    expect(
      second.calls
        .filter(c => c.effect === 'created')
        .map(c => c.argv.join(' ')),
    ).toEqual([]);
    const changes = changing(second.calls).map(c => c.command);
    // What remains is declarative: enabling (already enabled) APIs, the
    // get-or-create of the IAP agent, and redeploying the function.
    expect([...new Set(changes)].sort()).toEqual([
      'beta run deploy',
      'beta services identity create',
      'scheduler jobs update http',
      'services enable',
    ]);
  });
});

describe('deploy.sh, lb topology', () => {
  let s: Sandbox;
  let first: Run;
  beforeAll(async () => {
    ({s, run: first} = await fresh('lb'));
  });

  it('deploys a fresh project with gcloud commands and flags the real gcloud has', () => {
    expectClean(first);
    expect(first.stdout).toContain('Open: https://jit.example.com');
    expect(first.stdout).toMatch(/Certificate status: PROVISIONING/);
  });

  it.each(SERVICES_LB)(
    'deploys %s only after its backend service exists, with that backend service ID',
    service => {
      const created = indexOf(
        first.calls,
        byShape(`compute backend-services create ${service}`),
        'bs create',
      );
      const deployed = indexOf(
        first.calls,
        byShape(`beta run deploy ${service}`),
        'deploy',
      );
      expect(created).toBeLessThan(deployed);
      const backend =
        s.model().resources[`backendService/${PROJECT}/${service}`]!;
      const deploy = first.calls[deployed]!;
      expect(envOf(deploy)).toMatchObject({
        IAP_BACKEND_SERVICE_ID: backend.id,
        PROJECT_NUMBER,
        PUBLIC_BASE_URL: 'https://jit.example.com',
        GOOGLE_CLOUD_PROJECT: PROJECT,
        NODE_ENV: 'production',
      });
      expect(deploy.argv).toEqual(
        expect.arrayContaining([
          `--function=${service.replace('jit-access-', '')}`,
          '--ingress=internal-and-cloud-load-balancing',
          '--no-allow-unauthenticated',
          `--service-account=${service}@${PROJECT}.iam.gserviceaccount.com`,
        ]),
      );
      expect(deploy.argv).not.toContain('--iap');
    },
  );

  it('gives every function a startup probe on /health/ready and a liveness probe on /health/alive', () => {
    const deploys = changing(first.calls).filter(
      c => c.command === 'beta run deploy',
    );
    expect(deploys).toHaveLength(SERVICES_LB.length + 1);
    for (const d of deploys) {
      expect(d.argv).toEqual(expect.arrayContaining(PROBE_FLAGS));
    }
  });

  it('builds the load balancer in dependency order', () => {
    const at = (what: string) => indexOf(first.calls, byShape(what), what);
    for (const service of SERVICES_LB) {
      expect(
        at(`compute network-endpoint-groups create ${service}`),
      ).toBeLessThan(at(`compute backend-services add-backend ${service}`));
      expect(at(`compute backend-services create ${service}`)).toBeLessThan(
        at('compute url-maps import jit-access'),
      );
    }
    expect(at('compute url-maps import jit-access')).toBeLessThan(
      at('compute target-https-proxies create jit-access'),
    );
    expect(at('compute ssl-certificates create jit-access')).toBeLessThan(
      at('compute target-https-proxies create jit-access'),
    );
    expect(at('compute target-https-proxies create jit-access')).toBeLessThan(
      at('compute forwarding-rules create jit-access'),
    );
    expect(at('compute addresses create jit-access')).toBeLessThan(
      at('dns record-sets create jit.example.com.'),
    );
  });

  it('enables IAP on every backend service with Google-managed OAuth', () => {
    for (const service of SERVICES_LB) {
      const update = first.calls.find(
        c => shape(c.argv) === `compute backend-services update ${service}`,
      )!;
      expect(flagValue(update.argv, 'iap')).toBe('enabled');
      expect(
        s.model().resources[`backendService/${PROJECT}/${service}`],
      ).toMatchObject({iap: {enabled: true}});
    }
  });

  it('gives each function its own service account, and only activate and approve may set IAM policies', () => {
    const project = `projects/${PROJECT}`;
    expect(rolesOf(s, project, sa('jit-access-roles'))).toEqual([
      'roles/cloudasset.viewer',
      'roles/datastore.viewer',
    ]);
    for (const name of ['jit-access-activate', 'jit-access-approve']) {
      expect(rolesOf(s, project, sa(name))).toEqual([
        'roles/cloudasset.viewer',
        'roles/datastore.user',
        'roles/resourcemanager.projectIamAdmin',
      ]);
    }
    expect(rolesOf(s, project, sa('jit-access-web'))).toEqual([]);
  });

  it('lets the IAP service agent invoke every function and the members pass IAP on every backend service', () => {
    for (const service of SERVICES_LB) {
      expect(
        rolesOf(s, `run/${PROJECT}/${REGION}/${service}`, IAP_AGENT),
      ).toEqual(['roles/run.invoker']);
      expect(
        rolesOf(
          s,
          `backendService/${PROJECT}/${service}`,
          'group:jit-users@example.com',
        ),
      ).toEqual(['roles/iap.httpsResourceAccessor']);
    }
  });

  const ROUTES: [string, string][] = [
    ['/api/policy', 'jit-access-roles'],
    ['/api/projects', 'jit-access-roles'],
    ['/api/projects/p1/roles', 'jit-access-roles'],
    ['/api/projects/p1/peers', 'jit-access-roles'],
    ['/api/projects/p1/roles/self-activate', 'jit-access-activate'],
    ['/api/projects/p1/roles/request', 'jit-access-activate'],
    ['/api/requests', 'jit-access-approve'],
    ['/api/requests/abc', 'jit-access-approve'],
    ['/api/requests/abc/approve', 'jit-access-approve'],
    ['/api/requests/abc/deny', 'jit-access-approve'],
    ['/api/requests/abc/withdraw', 'jit-access-approve'],
    ['/api/requests/abc/remind', 'jit-access-approve'],
    ['/api/grants', 'jit-access-activate'],
    ['/api/grants/abc', 'jit-access-activate'],
    ['/api/grants/abc/revoke', 'jit-access-activate'],
    ['/api/reconcile', 'jit-access-activate'],
    ['/', 'jit-access-web'],
    ['/requests/abc', 'jit-access-web'],
    ['/favicon.ico', 'jit-access-web'],
    ['/health', 'jit-access-web'],
  ];
  it.each(ROUTES)('the URL map sends %s to %s', (urlPath, service) => {
    const yaml = first.calls.find(c => c.command === 'compute url-maps import')!
      .files.source!;
    expect(route(yaml, urlPath)).toBe(service);
  });

  it('creates the A record in the DNS zone with the load balancer address', () => {
    const dns = first.calls.find(c => c.command === 'dns record-sets create')!;
    const address =
      s.model().resources[`address/${PROJECT}/jit-access`]!.address;
    expect(flagValue(dns.argv, 'rrdatas')).toBe(address);
  });

  it('a second run creates nothing and grants nothing', async () => {
    const second = await s.deploy([
      ...LB,
      MEMBERS,
      `--env-file=${s.writeFile('settings.env', ENV)}`,
    ]);
    expectClean(second);
    expect(
      second.calls
        .filter(c => c.effect === 'created')
        .map(c => c.argv.join(' ')),
    ).toEqual([]);
    expect(
      [...new Set(changing(second.calls).map(c => c.command))].sort(),
    ).toEqual([
      'beta run deploy',
      'beta services identity create',
      'compute url-maps import',
      'scheduler jobs update http',
      'services enable',
    ]);
  });

  it('prints the A record to create when no DNS zone is given', async () => {
    const t = sandbox();
    const run = await t.deploy([
      ...BASE,
      '--topology=lb',
      '--domain=jit.example.com',
    ]);
    expectClean(run);
    expect(run.calls.filter(c => c.command?.startsWith('dns '))).toEqual([]);
    expect(run.stdout).toContain(
      'Create this DNS record: jit.example.com. 300 IN A 203.0.113.7',
    );
  });
});

/** Splits a printed command into words, as the shell would (deploy.sh quotes with '…' only). */
function words(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|\\'|[^\s'])+/g)].map(m =>
    m[0].replace(/'([^']*)'/g, '$1').replace(/\\'/g, "'"),
  );
}

/** The backend service the recorded URL map sends a path to (route rules by priority, then the default). */
function route(yaml: string, urlPath: string): string | undefined {
  const rules: {priority: number; match: RegExp[]; service?: string}[] = [];
  let fallback: string | undefined;
  for (const line of yaml.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}- priority: (\d+)$/.exec(line)))
      rules.push({priority: Number(m[1]), match: []});
    else if ((m = /^ {4}- fullPathMatch: (\S+)$/.exec(line)))
      rules.at(-1)!.match.push(new RegExp(`^${m[1]}$`));
    else if ((m = /^ {4}- pathTemplateMatch: (\S+)$/.exec(line))) {
      rules
        .at(-1)!
        .match.push(new RegExp(`^${m[1]!.replace(/\{[a-z]+\}/g, '[^/]+')}$`));
    } else if ((m = /^ {4}service: .*\/backendServices\/(\S+)$/.exec(line)))
      rules.at(-1)!.service = m[1];
    else if (
      (m = /^ {2}defaultService: .*\/backendServices\/(\S+)$/.exec(line))
    )
      fallback = m[1];
  }
  const rule = rules
    .sort((a, b) => a.priority - b.priority)
    .find(r => r.match.some(re => re.test(urlPath)));
  return rule ? rule.service : fallback;
}

describe('deploy.sh --dry-run', () => {
  it.each(['single', 'lb'] as const)(
    'invokes nothing and prints, in order, every command a fresh %s deployment runs',
    async topology => {
      const dry = sandbox();
      const printed = await dry.deploy([
        ...argsFor(topology, dry),
        '--dry-run',
      ]);
      expect(printed.code).toBe(0);
      expect(dry.calls()).toEqual([]);
      expect(dry.curlCalls()).toEqual([]);

      const {run: ran} = await fresh(topology);
      expectClean(ran);
      const commands = printed.stdout
        .split('\n')
        .filter(l => l.startsWith('gcloud '))
        .map(l => shape(words(l).slice(1)));
      expect(commands).toEqual(changing(ran.calls).map(c => shape(c.argv)));
    },
  );
});

describe('deploy.sh and --reconcile-schedule', () => {
  it('deploys the reconcile service but no job, no scheduler account and no Cloud Scheduler API with off', async () => {
    const s = sandbox();
    const run = await s.deploy([...BASE, '--reconcile-schedule=off']);
    expectClean(run);
    expect(run.calls.filter(c => c.command?.startsWith('scheduler '))).toEqual(
      [],
    );
    expect(
      s.model().resources[
        `serviceAccount/jit-access-scheduler@${PROJECT}.iam.gserviceaccount.com`
      ],
    ).toBeUndefined();
    const enable = run.calls.find(c => c.command === 'services enable')!;
    expect(enable.argv).not.toContain('cloudscheduler.googleapis.com');
    expect(
      run.calls.some(
        c => c.command === 'beta run deploy' && c.argv[3] === RECONCILE,
      ),
    ).toBe(true);
  });

  it('takes another schedule, and refuses one that is not five cron fields before any change', async () => {
    const s = sandbox();
    const run = await s.deploy([...BASE, '--reconcile-schedule=0 * * * *']);
    expectClean(run);
    const job = s.model().resources[
      `schedulerJob/${PROJECT}/${REGION}/jit-access-reconcile`
    ] as unknown as {schedule: string};
    expect(job.schedule).toBe('0 * * * *');
    const bad = await (
      await sandbox()
    ).deploy([...BASE, '--reconcile-schedule=every ten minutes']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      '--reconcile-schedule must be five cron fields',
    );
    expect(bad.calls.filter(c => c.effect !== 'read')).toEqual([]);
  });
});

describe('deploy.sh and programmatic access (docs/cli.md)', () => {
  const CLIENTS = [
    '123456789-abc.apps.googleusercontent.com',
    '987654321-xyz.apps.googleusercontent.com',
  ];
  it('allowlists the OAuth clients on the IAP of the single service and prints the command line to use', async () => {
    const s = sandbox();
    const run = await s.deploy([
      ...BASE,
      `--iap-programmatic-clients=${CLIENTS.join(',')}`,
    ]);
    expectClean(run);
    expect(
      s.model().resources[`iapSettings/run/${PROJECT}/${REGION}/jit-access`],
    ).toEqual({programmaticClients: CLIENTS});
    expect(run.stdout).toContain(
      `jit --url https://jit-access-${PROJECT_NUMBER}.${REGION}.run.app --audience ${CLIENTS[0]}`,
    );
  });

  it('allowlists them on every backend service in lb', async () => {
    const s = sandbox();
    const run = await s.deploy([
      ...LB,
      `--iap-programmatic-clients=${CLIENTS[0]}`,
    ]);
    expectClean(run);
    for (const service of SERVICES_LB) {
      expect(
        s.model().resources[`iapSettings/backendService/${PROJECT}/${service}`],
      ).toEqual({programmaticClients: [CLIENTS[0]]});
    }
    expect(run.stdout).toContain(
      `jit --url https://jit.example.com --audience ${CLIENTS[0]}`,
    );
  });

  it('changes no IAP settings without the flag, and refuses what is not a client ID before any change', async () => {
    const s = sandbox();
    const run = await s.deploy([...BASE]);
    expectClean(run);
    expect(
      run.calls.filter(c => c.command === 'beta iap settings set'),
    ).toEqual([]);
    expect(run.stdout).not.toContain('--audience');
    const bad = await sandbox().deploy([
      ...BASE,
      '--iap-programmatic-clients=alice@example.com',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is not an OAuth client ID');
    expect(bad.calls.filter(c => c.effect !== 'read')).toEqual([]);
  });
});

describe('deploy.sh and the SMTP password', () => {
  const PASSWORD = 'hunter2-in-plain-sight';
  it('warns that SMTP_PASSWORD is readable, points to SMTP_SECRET, and never prints the password', async () => {
    const s = sandbox();
    const env = s.writeFile(
      'password.env',
      `SMTP_USERNAME=mailer\nSMTP_PASSWORD=${PASSWORD}\n`,
    );
    const run = await s.deploy([...BASE, `--env-file=${env}`, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: SMTP_PASSWORD is a plain environment variable.*SMTP_SECRET/,
    );
    expect(run.stdout).toContain("SMTP_PASSWORD: '****'");
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it('says nothing of it when the password is in Secret Manager', async () => {
    const s = sandbox();
    const run = await s.deploy([...argsFor('single', s), '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('SMTP_PASSWORD');
  });

  it('accepts NODE_ENV=production in the settings, and writes it once', async () => {
    const s = sandbox();
    const env = s.writeFile('production.env', 'NODE_ENV=production\n');
    const run = await s.deploy([...BASE, `--env-file=${env}`, '--dry-run']);
    expect(run.code).toBe(0);
    // Once in each function's settings (the app's and the reconcile service's).
    expect(run.stdout.match(/NODE_ENV: 'production'/g)).toHaveLength(
      run.stdout.match(/\(written by deploy\.sh\) holds:/g)!.length,
    );
  });
});

describe('deploy.sh and NOTIFICATION_TOPIC', () => {
  const OTHER = 'events-hub';
  const world: World = {
    ...DEFAULT_WORLD,
    projects: {
      ...DEFAULT_WORLD.projects,
      [OTHER]: {number: '999999999999', billing: true},
    },
    topics: [`topic/${OTHER}/jit-events`],
  };

  it('enables Pub/Sub, creates a topic named in the project, and lets the functions that publish events publish to it', async () => {
    const s = sandbox(world);
    const env = s.writeFile(
      'topic.env',
      'NOTIFICATION_TOPIC=jit-access-events\n',
    );
    const run = await s.deploy([...LB, MEMBERS, `--env-file=${env}`]);
    expectClean(run);
    const enable = run.calls.find(c => c.command === 'services enable');
    expect(enable?.argv).toContain('pubsub.googleapis.com');
    const key = `topic/${PROJECT}/jit-access-events`;
    expect(s.model().resources[key]).toEqual({
      name: `projects/${PROJECT}/topics/jit-access-events`,
    });
    for (const service of SERVICES_LB) {
      const publishes = ['jit-access-activate', 'jit-access-approve'].includes(
        service,
      );
      expect(rolesOf(s, key, sa(service))).toEqual(
        publishes ? ['roles/pubsub.publisher'] : [],
      );
    }
    // Reconciliation publishes ActivationExternallyModified, with the app's links.
    expect(rolesOf(s, key, sa(RECONCILE))).toEqual(['roles/pubsub.publisher']);
    const reconcileDeploy = changing(run.calls).find(
      c => c.command === 'beta run deploy' && c.argv[3] === RECONCILE,
    )!;
    expect(envOf(reconcileDeploy)['PUBLIC_BASE_URL']).toBe(
      'https://jit.example.com',
    );
    // The functions are told the topic as it was given.
    const deploys = iapDeploys(run.calls);
    expect(deploys.map(d => envOf(d)['NOTIFICATION_TOPIC'])).toEqual(
      SERVICES_LB.map(() => 'jit-access-events'),
    );

    const again = await s.deploy([...LB, MEMBERS, `--env-file=${env}`]);
    expectClean(again);
    expect(
      again.calls.filter(
        c => /^pubsub /.test(c.command ?? '') && c.effect !== 'read',
      ),
    ).toEqual([]);
  });

  it('grants on a topic of another project without creating it', async () => {
    const s = sandbox(world);
    const env = s.writeFile(
      'topic.env',
      `NOTIFICATION_TOPIC=projects/${OTHER}/topics/jit-events\n`,
    );
    const run = await s.deploy([...BASE, MEMBERS, `--env-file=${env}`]);
    expectClean(run);
    expect(run.calls.some(c => c.command === 'pubsub topics create')).toBe(
      false,
    );
    expect(rolesOf(s, `topic/${OTHER}/jit-events`, sa('jit-access'))).toEqual([
      'roles/pubsub.publisher',
    ]);
  });

  it('stops, naming what to do, when a topic of another project does not exist', async () => {
    const s = sandbox(world);
    const env = s.writeFile(
      'topic.env',
      `NOTIFICATION_TOPIC=projects/${OTHER}/topics/missing-topic\n`,
    );
    const run = await s.deploy([...BASE, MEMBERS, `--env-file=${env}`]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /topic missing-topic not found in project events-hub: create it there \(gcloud pubsub topics create missing-topic --project=events-hub\)/,
    );
    expect(changing(run.calls).some(c => c.command === 'beta run deploy')).toBe(
      false,
    );
  });

  it('refuses a topic name Pub/Sub would refuse, before any change', async () => {
    const s = sandbox(world);
    const env = s.writeFile('topic.env', 'NOTIFICATION_TOPIC=projects/x/y\n');
    const run = await s.deploy([...BASE, MEMBERS, `--env-file=${env}`]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /NOTIFICATION_TOPIC must be a Pub\/Sub topic name/,
    );
    expect(changing(run.calls)).toEqual([]);
  });

  it('touches no Pub/Sub without NOTIFICATION_TOPIC', async () => {
    const {run} = await fresh('single');
    expect(run.calls.some(c => /^pubsub /.test(c.command ?? ''))).toBe(false);
    expect(
      run.calls.find(c => c.command === 'services enable')?.argv,
    ).not.toContain('pubsub.googleapis.com');
  });
});

describe('deploy.sh and Google Chat (docs/chat.md)', () => {
  it('deploys the chat service with its own account, open to Chat, its audience pinned to the project number, and prints what to enter in the Chat API', async () => {
    const s = sandbox();
    const env = s.writeFile(
      'chat.env',
      'CHAT_SPACE=spaces/AAAAreviewers\nNOTIFICATION_TOPIC=jit-access-events\n',
    );
    const run = await s.deploy([...BASE, MEMBERS, `--env-file=${env}`]);
    expectClean(run);
    expect(
      run.calls.find(c => c.command === 'services enable')?.argv,
    ).toContain('chat.googleapis.com');
    const deploy = changing(run.calls).find(
      c => c.command === 'beta run deploy' && c.argv[3] === CHAT,
    )!;
    expect(deploy.argv).toEqual(
      expect.arrayContaining([
        '--function=chat',
        '--allow-unauthenticated',
        `--service-account=${CHAT}@${PROJECT}.iam.gserviceaccount.com`,
      ]),
    );
    expect(deploy.argv).not.toContain('--no-allow-unauthenticated');
    expect(deploy.argv).not.toContain('--iap');
    expect(envOf(deploy)).toMatchObject({
      CHAT_SPACE: 'spaces/AAAAreviewers',
      CHAT_AUDIENCE: PROJECT_NUMBER,
      PUBLIC_BASE_URL: `https://jit-access-${PROJECT_NUMBER}.${REGION}.run.app`,
    });
    // The approvals' rights and Firestore, as approve has: nothing more.
    expect(rolesOf(s, `projects/${PROJECT}`, sa(CHAT))).toEqual([
      'roles/cloudasset.viewer',
      'roles/datastore.user',
      'roles/resourcemanager.projectIamAdmin',
    ]);
    expect(rolesOf(s, `topic/${PROJECT}/jit-access-events`, sa(CHAT))).toEqual([
      'roles/pubsub.publisher',
    ]);
    // Every click re-checks eligibility, groups included.
    expect(run.stderr).toMatch(
      new RegExp(`ACTION NEEDED[^]*${CHAT}@${PROJECT}\\.iam`),
    );
    // The app posts the cards: it is told the space.
    const app = iapDeploys(run.calls)[0]!;
    expect(envOf(app)['CHAT_SPACE']).toBe('spaces/AAAAreviewers');
    expect(run.stdout).toContain(
      `HTTP endpoint URL: https://${CHAT}-${PROJECT_NUMBER}.${REGION}.run.app/chat`,
    );
    expect(run.stdout).toContain(
      `Authentication Audience: Project Number (${PROJECT_NUMBER})`,
    );
    // Every other service still refuses unauthenticated calls.
    for (const other of changing(run.calls).filter(
      c => c.command === 'beta run deploy' && c.argv[3] !== CHAT,
    )) {
      expect(other.argv).toContain('--no-allow-unauthenticated');
    }
  });

  it('deploys no chat service and enables no Chat API without CHAT_* settings', async () => {
    const {run} = await fresh('single');
    expect(
      run.calls.some(
        c => c.command === 'beta run deploy' && c.argv[3] === CHAT,
      ),
    ).toBe(false);
    expect(
      run.calls.find(c => c.command === 'services enable')?.argv,
    ).not.toContain('chat.googleapis.com');
    expect(run.stdout).not.toContain('Google Chat');
  });

  it.each([
    ['CHAT_SPACE=general', /CHAT_SPACE must be a space name/],
    [
      'CHAT_SPACE=spaces/A\nCHAT_AUDIENCE=http://x',
      /CHAT_AUDIENCE must be the project number/,
    ],
    [
      'CHAT_SPACE=spaces/A\nCHAT_PUBLIC_KEYS_URL=http://127.0.0.1/keys',
      /CHAT_PUBLIC_KEYS_URL is for local stand-ins only/,
    ],
  ])('refuses %s before any change', async (settings, message) => {
    const s = sandbox();
    const env = s.writeFile('bad-chat.env', `${settings}\n`);
    const run = await s.deploy([...BASE, `--env-file=${env}`]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(changing(run.calls)).toEqual([]);
  });
});

describe('deploy.sh stops with a clear message when a prerequisite is missing', () => {
  const noBilling: World = {
    ...DEFAULT_WORLD,
    projects: {[PROJECT]: {number: PROJECT_NUMBER, billing: false}},
  };
  type Case = [string, World, string[], RegExp, {withGcloud?: boolean}];
  const cases: Case[] = [
    [
      'gcloud is not installed',
      DEFAULT_WORLD,
      BASE,
      /gcloud not found: install the Google Cloud CLI/,
      {withGcloud: false},
    ],
    [
      'no account is logged in',
      {...DEFAULT_WORLD, account: ''},
      BASE,
      /no active account: run 'gcloud auth login'/,
      {},
    ],
    [
      'the project does not exist',
      DEFAULT_WORLD,
      ['--project=no-such-project', `--region=${REGION}`],
      /project no-such-project not found/,
      {},
    ],
    [
      'billing is disabled',
      noBilling,
      BASE,
      /billing is not enabled on project jit-demo/,
      {},
    ],
    [
      'the IAM policy cannot be read',
      {...DEFAULT_WORLD, denyPolicyRead: true},
      BASE,
      /cannot read the IAM policy of projects\/jit-demo.*projectIamAdmin/,
      {},
    ],
    [
      '--project is missing',
      DEFAULT_WORLD,
      [`--region=${REGION}`],
      /--project is required/,
      {},
    ],
    [
      'lb has no --domain',
      DEFAULT_WORLD,
      [...BASE, '--topology=lb'],
      /--topology=lb needs --domain/,
      {},
    ],
    [
      'the topology is unknown',
      DEFAULT_WORLD,
      [...BASE, '--topology=gke'],
      /--topology must be single or lb/,
      {},
    ],
    [
      'an IAP member has no type',
      DEFAULT_WORLD,
      [...BASE, '--iap-members=alice@example.com'],
      /'alice@example.com' is not user:, group:, domain:/,
      {},
    ],
    [
      'the catalog is unknown',
      DEFAULT_WORLD,
      [...BASE, '--env-file=bad-catalog.env'],
      /RESOURCE_CATALOG must be AssetInventory or PolicyAnalyzer/,
      {},
    ],
    ...['allUsers', 'allAuthenticatedUsers'].map((member): Case => [
      `the IAP members include ${member}`,
      DEFAULT_WORLD,
      [...BASE, `--iap-members=group:jit-users@example.com,${member}`],
      new RegExp(`'${member}' is not user:, group:, domain:`),
      {},
    ]),
    [
      'the settings ask for NODE_ENV other than production',
      DEFAULT_WORLD,
      [...BASE, '--env-file=development.env'],
      /NODE_ENV=development: deploy.sh sets NODE_ENV=production/,
      {},
    ],
  ];
  it.each(cases)('when %s', async (_, world, args, message, opts) => {
    const s = sandbox(world, opts);
    s.writeFile('bad-catalog.env', 'RESOURCE_CATALOG=Magic\n');
    s.writeFile('development.env', 'NODE_ENV=development\n');
    const run = await s.deploy(args);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(changing(run.calls)).toEqual([]);
  });

  it('prints its usage on --help', async () => {
    const run = await sandbox().deploy(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: \.\/deploy\.sh/);
    for (const flag of [
      '--project',
      '--region',
      '--scope',
      '--topology',
      '--domain',
      '--dns-zone',
      '--iap-members',
      '--env-file',
      '--dry-run',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.calls).toEqual([]);
  });
});

describe('deploy.sh, scope and catalog', () => {
  const ASSET = ['roles/cloudasset.viewer'];
  const ANALYZER = ['roles/cloudasset.viewer', 'roles/iam.securityReviewer'];
  const IAM_ADMIN = 'roles/resourcemanager.projectIamAdmin';
  it.each([
    [
      'folders/1234',
      'AssetInventory',
      'resource-manager folders',
      BASE,
      {'jit-access': [...ASSET, IAM_ADMIN]},
    ],
    [
      'organizations/99',
      'PolicyAnalyzer',
      'organizations',
      LB,
      {
        'jit-access-roles': ANALYZER,
        'jit-access-activate': [...ANALYZER, IAM_ADMIN],
        'jit-access-web': [],
      },
    ],
  ] as const)(
    'grants on %s what the %s catalog needs',
    async (scope, catalog, group, args, expected) => {
      const s = sandbox();
      const env = s.writeFile('settings.env', `RESOURCE_CATALOG=${catalog}\n`);
      const run = await s.deploy([
        ...args,
        `--scope=${scope}`,
        `--env-file=${env}`,
      ]);
      expectClean(run);
      const resource = `${group}/${scope.split('/')[1]}`;
      for (const [name, roles] of Object.entries(expected)) {
        expect(rolesOf(s, resource, sa(name))).toEqual([...roles].sort());
      }
      const deploy = changing(run.calls).find(
        c => c.command === 'beta run deploy',
      )!;
      expect(envOf(deploy).RESOURCE_SCOPE).toBe(scope);
    },
  );
});

describe('deploy.sh, the Groups Reader step', () => {
  it('prints the step to take in the Admin console when it may not assign the role', async () => {
    const {run} = await fresh('single');
    expectClean(run);
    expect(run.stderr).toContain('ACTION NEEDED (outside Google Cloud)');
    expect(run.stderr).toContain(
      `jit-access@${PROJECT}.iam.gserviceaccount.com`,
    );
    expect(run.stdout).toContain('Groups Reader still to assign');
  });

  it('assigns Groups Reader through the Admin SDK to every function that reads groups, once', async () => {
    const s = sandbox({...DEFAULT_WORLD, adcToken: 'adc-token', admin: true});
    const first = await s.deploy(LB);
    expectClean(first);
    expect(first.stderr).not.toContain('ACTION NEEDED');
    const posts = () => s.curlCalls().filter(c => c.method === 'POST');
    expect(posts()).toHaveLength(3);
    const second = await s.deploy(LB);
    expectClean(second);
    expect(posts()).toHaveLength(3);
    expect(second.stderr).toContain(
      `jit-access-roles@${PROJECT}.iam.gserviceaccount.com has Groups Reader`,
    );
  });
});

const INDEX_FILE = path.join(REPO, 'firestore.indexes.json');
describe('deploy.sh and firestore.indexes.json', () => {
  itIf(
    fs.existsSync(INDEX_FILE),
    'firestore.indexes.json is not in the repository yet',
  )(
    'creates the composite indexes that firestore.indexes.json defines',
    async () => {
      const file = JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as {
        indexes: {
          collectionGroup: string;
          fields: {fieldPath: string; order?: string; arrayConfig?: string}[];
        }[];
      };
      const expected = file.indexes
        .map(i =>
          i.fields
            .map(
              f =>
                `${f.fieldPath}:${(f.arrayConfig ?? f.order ?? '').toLowerCase()}`,
            )
            .join(' '),
        )
        .sort();
      const run = await sandbox().deploy([...BASE, '--dry-run']);
      const created = run.stdout
        .split('\n')
        .filter(l => l.startsWith('gcloud firestore indexes composite create'))
        .map(l =>
          [
            ...l.matchAll(
              /--field-config=field-path=([^,]+),(?:order|array-config)=(\S+)/g,
            ),
          ]
            .map(m => `${m[1]}:${m[2]}`)
            .join(' '),
        )
        .sort();
      expect(created).toEqual(expected);
    },
  );
});

const hasShellcheck = (() => {
  try {
    execFileSync('shellcheck', ['--version'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
})();
describe('deploy.sh as a shell script', () => {
  itIf(hasShellcheck, 'shellcheck is not installed')(
    'passes shellcheck',
    () => {
      expect(() =>
        execFileSync('shellcheck', [path.join(REPO, 'deploy.sh')], {
          encoding: 'utf8',
        }),
      ).not.toThrow();
    },
  );

  it('starts with a shebang, sets -euo pipefail and never -x', () => {
    const text = fs.readFileSync(path.join(REPO, 'deploy.sh'), 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(text).not.toMatch(/^\s*set -[a-z]*x/m);
  });
});

/**
 * Flags whose values gcloud checks while parsing (choices, key=value specs).
 * Other values (names, --format, which gcloud applies only to a response)
 * do not change whether a command parses, so commands that differ only in
 * them are checked once: gcloud takes seconds a call.
 */
const CHECKED_VALUES = new Set([
  'base-image',
  'condition',
  'field-config',
  'iap',
  'ingress',
  'ip-version',
  'load-balancing-scheme',
  'network-endpoint-type',
  'query-scope',
  'resource-type',
  'type',
  'ports',
  'ttl',
]);
function parseShape(c: Call): string {
  const words = c.argv.filter(a => !a.startsWith('--'));
  const flags = c.argv
    .filter(a => a.startsWith('--'))
    .map(a => {
      const name = a.slice(2).split('=', 1)[0]!;
      return CHECKED_VALUES.has(name) ? a : name;
    })
    .sort();
  return JSON.stringify([c.command, words.length, flags]);
}

const GCLOUD_APIS = [
  'artifactregistry',
  'cloudscheduler',
  'cloudbilling',
  'cloudbuild',
  'cloudresourcemanager',
  'compute',
  'dns',
  'firestore',
  'iam',
  'iamcredentials',
  'iap',
  'pubsub',
  'run',
  'secretmanager',
  'serviceusage',
  'storage',
];
const PARSE_ERROR =
  /unrecognized arguments|Invalid choice|argument --[a-z-]+:|Invalid value for \[?--|must be one of|expected one argument|Bad syntax/i;

let gcloudInfo: {sdkRoot: string; python: string} | null | undefined;
/** Whether the real gcloud is here; remembers its SDK folder and Python. */
function hasGcloud(): boolean {
  if (gcloudInfo === undefined) {
    try {
      const out = execFileSync(
        'gcloud',
        ['info', '--format=value(installation.sdk_root,basic.python_location)'],
        {
          encoding: 'utf8',
          env: {...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1'},
          timeout: 60000,
        },
      );
      const [sdkRoot, python] = out.trim().split('\t');
      gcloudInfo = sdkRoot && python ? {sdkRoot, python} : null;
    } catch {
      gcloudInfo = null;
    }
  }
  return gcloudInfo !== null;
}

interface GcloudResult {
  argv: string[];
  code: number;
  stderr: string;
}

/**
 * Runs commands with the real gcloud, without credentials and without
 * leaving the machine: every Google API the commands call is pointed at a
 * loopback server that answers 401, and a dead loopback proxy catches
 * anything else. gcloud-batch.py imports gcloud once for all the commands
 * (gcloud's start-up costs about a second of CPU per call).
 */
async function runGcloud(
  argvs: string[][],
  work: string,
): Promise<GcloudResult[]> {
  const server = createServer((_, res) => {
    res.writeHead(401, {'content-type': 'application/json'});
    res.end(
      JSON.stringify({
        error: {
          code: 401,
          status: 'UNAUTHENTICATED',
          message: 'loopback stub: no credentials',
        },
      }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    CLOUDSDK_CONFIG: fs.mkdtempSync(path.join(work, 'config-')),
    CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
  for (const api of GCLOUD_APIS) {
    env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] =
      `http://127.0.0.1:${port}/`;
  }
  const {sdkRoot, python} = gcloudInfo!;
  const batch = (chunk: string[][]) =>
    new Promise<GcloudResult[]>((resolve, reject) => {
      const child = execFile(
        python,
        [path.join(__dirname, 'gcloud-batch.py'), sdkRoot],
        {env, cwd: work, maxBuffer: 64 * 1024 * 1024, timeout: 280000},
        (error, stdout, stderr) => {
          if (error)
            return reject(
              new Error(`gcloud-batch.py: ${stderr || error.message}`),
            );
          resolve(
            stdout
              .trim()
              .split('\n')
              .filter(Boolean)
              .map(l => JSON.parse(l) as GcloudResult),
          );
        },
      );
      child.stdin!.end(chunk.map(a => JSON.stringify(a)).join('\n') + '\n');
    });
  try {
    // Two processes, one per core.
    const half = Math.ceil(argvs.length / 2);
    const parts = await Promise.all([
      batch(argvs.slice(0, half)),
      batch(argvs.slice(half)),
    ]);
    return parts.flat();
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/**
 * Every command the runs above recorded, passed to the real gcloud with no
 * credentials: gcloud parses flags before it needs credentials, so an
 * authentication error proves the flags were accepted, and "unrecognized
 * arguments" or "Invalid choice" (exit 2) proves they were not.
 */
describe('the real gcloud', () => {
  itIf(hasGcloud(), 'gcloud is not installed on this machine')(
    'accepts every command and flag deploy.sh ran in the tests above, and refuses a bad one',
    async () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-gcloud-parse-'));
      try {
        const source = path.join(work, 'source');
        fs.mkdirSync(source);
        fs.writeFileSync(
          path.join(source, 'package.json'),
          '{"name":"x","version":"0.0.0"}',
        );
        // One command of each shape (see CHECKED_VALUES); files are recreated.
        const unique = new Map<string, Call>();
        for (const c of ALL_CALLS) {
          if (c.effect === 'refused' || c.argv.includes('--help')) continue;
          unique.set(parseShape(c), c);
        }
        expect(unique.size).toBeGreaterThan(35);
        const argvs = [...unique.values()].map((c, n) =>
          c.argv.map(a => {
            // The settings file of `iap settings set`, a positional argument.
            if (
              c.files['setting-file'] !== undefined &&
              !a.startsWith('--') &&
              a.endsWith('.yaml')
            ) {
              const file = path.join(work, `${n}-${path.basename(a)}`);
              fs.writeFileSync(file, c.files['setting-file']);
              return file;
            }
            const m = /^--(env-vars-file|source)=(.*)$/.exec(a);
            if (!m) return a;
            const content = c.files[m[1]!];
            if (content === undefined) return `--${m[1]}=${source}`;
            const file = path.join(work, `${n}-${path.basename(m[2]!)}`);
            fs.writeFileSync(file, content);
            return `--${m[1]}=${file}`;
          }),
        );
        // A control: the same check must refuse a value gcloud does not accept.
        const BAD = [
          'compute',
          'backend-services',
          'create',
          'x',
          '--global',
          '--load-balancing-scheme=NOPE',
        ];
        const results = await runGcloud([...argvs, BAD], work);
        expect(results).toHaveLength(argvs.length + 1);
        const accepted = (r: GcloudResult) =>
          r.code !== 2 && !PARSE_ERROR.test(r.stderr);
        expect(
          results
            .filter(r => !accepted(r))
            .map(
              r =>
                `gcloud ${r.argv.join(' ')}\n  exit ${r.code}: ${r.stderr.trim()}`,
            ),
        ).toEqual([expect.stringContaining('--load-balancing-scheme=NOPE')]);
        // Accepted means gcloud got as far as needing credentials (or needed none).
        // gcloud run prefixes the region to the endpoint's host
        // ("europe-west1-127.0.0.1"), which cannot resolve: that too comes
        // after parsing.
        const AUTH =
          /UNAUTHENTICATED|credentials|loopback stub|active account|Failed to resolve '[a-z0-9-]+-127\.0\.0\.1'/i;
        const unexplained = results.filter(
          r => accepted(r) && r.code !== 0 && !AUTH.test(r.stderr),
        );
        expect(
          unexplained.map(
            r =>
              `gcloud ${r.argv.join(' ')}\n  exit ${r.code}: ${r.stderr.trim()}`,
          ),
        ).toEqual([]);
      } finally {
        fs.rmSync(work, {recursive: true, force: true});
      }
    },
    300000,
  );
});

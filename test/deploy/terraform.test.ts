/**
 * The Terraform module, parsed with @cdktf/hcl2json (no Terraform binary):
 * its reference graph is acyclic and no Cloud Run service waits for a backend
 * service, which is the circular dependency this project exists to remove.
 * Where terraform is installed, its variables' validations and its checks
 * also run in Terraform itself (offline: they need no provider).
 */
import {parse} from '@cdktf/hcl2json';
import {execFileSync, spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {describeIf, itIf} from '../support/skip';
import {
  buildGraph,
  findCycle,
  Graph,
  parseModule,
  serviceToBackendReferences,
} from './terraform-graph';
import {REPO} from './harness';

const MODULE = path.join(REPO, 'terraform');

let mainTfParsed: Promise<unknown> | undefined;
/** main.tf as hcl2json reads it, parsed once for every test of this file. */
function mainTf(): Promise<unknown> {
  return (mainTfParsed ??= parse(
    'main.tf',
    fs.readFileSync(path.join(MODULE, 'main.tf'), 'utf8'),
  ));
}

describe('the Terraform module', () => {
  let files: Record<string, string>;
  let graph: Graph;
  beforeAll(async () => {
    files = await parseModule(MODULE);
    graph = await buildGraph(files);
  });

  it('has an acyclic dependency graph', () => {
    expect(graph.edges.size).toBeGreaterThan(30);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('never makes a Cloud Run service refer to a backend service, its id or generated_id', () => {
    expect(graph.types.get('google_cloud_run_v2_service.fn')).toBe(
      'google_cloud_run_v2_service',
    );
    expect(serviceToBackendReferences(graph)).toEqual([]);
  });

  it('builds the load balancer on the services: NEG -> service, backend service -> NEG, URL map -> backend services', () => {
    const targets = (node: string) =>
      (graph.edges.get(node) ?? []).map(r => r.target);
    expect(
      targets('google_compute_region_network_endpoint_group.fn'),
    ).toContain('google_cloud_run_v2_service.fn');
    expect(targets('google_compute_backend_service.fn')).toContain(
      'google_compute_region_network_endpoint_group.fn',
    );
    expect(targets('google_compute_url_map.lb')).toContain(
      'google_compute_backend_service.fn',
    );
    expect(targets('google_compute_global_forwarding_rule.lb')).toContain(
      'google_compute_target_https_proxy.lb',
    );
  });

  it("gives the lb services their backend service names, literals equal to the backend services' names", () => {
    expect(files['main.tf']).toMatch(/IAP_BACKEND_SERVICE_NAME = f\.service/);
    expect(files['lb.tf']).toMatch(
      /name\s+= each\.value\.service # = IAP_BACKEND_SERVICE_NAME/,
    );
    expect(files['main.tf']).not.toMatch(/IAP_BACKEND_SERVICE_ID/);
  });

  it('grants the custom role with compute.backendServices.get, and IAP invoker on every service', () => {
    expect(files['main.tf']).toMatch(
      /permissions = \["compute\.backendServices\.get"\]/,
    );
    expect(
      graph.edges
        .get('google_cloud_run_v2_service_iam_member.iap_invoker')
        ?.map(r => r.target),
    ).toEqual(
      expect.arrayContaining([
        'google_cloud_run_v2_service.fn',
        'google_project_service_identity.iap',
      ]),
    );
  });
});

interface Validation {
  condition: string;
  error_message: string;
}
type Variables = Record<string, {validation?: Validation[]}[]>;

async function variables(): Promise<Variables> {
  const json = (await parse(
    'variables.tf',
    fs.readFileSync(path.join(MODULE, 'variables.tf'), 'utf8'),
  )) as {variable: Variables};
  return json.variable;
}

/** deploy.sh's pattern for an --iap-members entry. */
function deployMemberPattern(): string {
  const script = fs.readFileSync(path.join(REPO, 'deploy.sh'), 'utf8');
  const m = /\[\[ "\$member" =~ (\S+) \]\]/.exec(script);
  if (!m) throw new Error('no --iap-members check in deploy.sh');
  return m[1]!;
}

describe('the Terraform module, its settings and its members', () => {
  it('runs every service with NODE_ENV=production, which settings cannot override', async () => {
    const json = (await mainTf()) as {locals: Record<string, string>[]};
    const locals = Object.assign({}, ...json.locals) as Record<string, string>;
    // merge() lets the later map win: the module's settings come after the user's.
    expect(locals['common_env']).toMatch(
      /^\$\{merge\(var\.settings, \{[^}]*\bNODE_ENV\s+= "production"[^}]*\}\)\}$/,
    );
    expect(locals['env']).toMatch(/merge\(local\.common_env,/);
    const settings = (await variables())['settings']![0]!.validation!;
    expect(settings.map(v => v.condition)).toContain(
      '${lookup(var.settings, "NODE_ENV", "production") == "production"}',
    );
  });

  it("checks iap_members with deploy.sh's own pattern for --iap-members", async () => {
    const [validation] = (await variables())['iap_members']![0]!.validation!;
    expect(validation?.condition).toBe(
      `\${alltrue([for m in var.iap_members : can(regex("${deployMemberPattern()}", m))])}`,
    );
    expect(validation?.error_message).toMatch(/allUsers/);
  });
});

const hasTerraform =
  spawnSync('terraform', ['version'], {stdio: 'ignore'}).status === 0;

describeIf(hasTerraform, 'terraform is not installed')(
  "the module's variables and checks, as Terraform runs them",
  () => {
    let dir: string;
    const terraform = (...args: string[]) =>
      spawnSync('terraform', [...args, '-no-color', '-input=false'], {
        cwd: dir,
        encoding: 'utf8',
        env: {...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1'},
      });
    // The variables and checks alone: a plan of them needs no provider and
    // no network.
    const plan = (vars: Record<string, string>) =>
      terraform(
        'plan',
        ...Object.entries({
          project_id: 'jit-demo',
          region: 'europe-west1',
          image: 'example/image',
          ...vars,
        }).flatMap(([k, v]) => ['-var', `${k}=${v}`]),
      );
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-tf-vars-'));
      for (const file of ['variables.tf', 'checks.tf']) {
        fs.copyFileSync(path.join(MODULE, file), path.join(dir, file));
      }
      execFileSync('terraform', ['init', '-backend=false', '-no-color'], {
        cwd: dir,
        stdio: 'ignore',
      });
    });
    afterAll(() => dir && fs.rmSync(dir, {recursive: true, force: true}));

    it('accepts typed principals', () => {
      const run = plan({
        iap_members: '["group:jit-users@example.com", "domain:example.com"]',
      });
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).not.toMatch(/Check block assertion/);
    });

    it('warns, and plans on, when settings carry SMTP_PASSWORD', () => {
      const run = plan({settings: '{SMTP_PASSWORD = "hunter2"}'});
      expect(run.status).toBe(0);
      const output = (run.stdout + run.stderr).replace(/\s+/g, ' ');
      expect(output).toMatch(
        /Warning: Check block assertion failed.*SMTP_PASSWORD .*readable by anyone.*set SMTP_SECRET instead/,
      );
      expect(output).not.toContain('hunter2');
    });

    it.each([
      ['allUsers', '["allUsers"]'],
      [
        'allAuthenticatedUsers',
        '["group:a@example.com", "allAuthenticatedUsers"]',
      ],
      ['a principal without a type', '["alice@example.com"]'],
    ])('refuses iap_members with %s', (_name, members) => {
      const run = plan({iap_members: members});
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/iap_members must each be user:, group:/);
    });

    it('takes a reconcile schedule of five cron fields or off, and refuses anything else', () => {
      for (const schedule of ['*/10 * * * *', '0 6 * * MON-FRI', 'off']) {
        const run = plan({reconcile_schedule: schedule});
        expect(run.stderr).not.toMatch(/Error/);
        expect(run.status).toBe(0);
      }
      const bad = plan({reconcile_schedule: 'every ten minutes'});
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/reconcile_schedule must be five cron fields/);
    });

    it('takes OAuth client IDs for programmatic access, and refuses anything else', () => {
      const ok = plan({
        iap_programmatic_clients:
          '["123456789-abc.apps.googleusercontent.com"]',
      });
      expect(ok.stderr).not.toMatch(/Error/);
      expect(ok.status).toBe(0);
      const bad = plan({iap_programmatic_clients: '["alice@example.com"]'});
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(
        /iap_programmatic_clients must be OAuth client IDs/,
      );
    });

    it('takes the Chat settings, and refuses a bad space, a bad audience and a stand-in key URL', () => {
      const ok = plan({
        settings:
          '{CHAT_SPACE = "spaces/AAAAreviewers", CHAT_AUDIENCE = "123456789012"}',
      });
      expect(ok.stderr).not.toMatch(/Error/);
      expect(ok.status).toBe(0);
      for (const [settings, message] of [
        ['{CHAT_SPACE = "general"}', /CHAT_SPACE must be a Chat space name/],
        [
          '{CHAT_SPACE = "spaces/A", CHAT_AUDIENCE = "http://x.example/chat"}',
          /CHAT_AUDIENCE must be the project number/,
        ],
        [
          '{CHAT_SPACE = "spaces/A", CHAT_PUBLIC_KEYS_URL = "http://127.0.0.1/k"}',
          /CHAT_PUBLIC_KEYS_URL is for local stand-ins only/,
        ],
      ] as const) {
        const bad = plan({settings});
        expect(bad.status).not.toBe(0);
        expect(bad.stderr.replace(/\s+/g, ' ')).toMatch(message);
      }
    });

    it('refuses NODE_ENV other than production in settings', () => {
      const run = plan({settings: '{NODE_ENV = "development"}'});
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/the module sets NODE_ENV=production/);
    });
  },
);

const INDEX_FILE = path.join(REPO, 'firestore.indexes.json');
describe('the Terraform module and cold starts', () => {
  it('turns on startup CPU boost on every service, as deploy.sh does', async () => {
    const json = (await mainTf()) as {
      resource: Record<
        string,
        Record<string, Array<{template: Array<{containers: unknown[]}>}>>
      >;
    };
    const service = json.resource['google_cloud_run_v2_service']!['fn']![0]!;
    const container = service.template[0]!.containers[0] as {
      resources?: Array<{startup_cpu_boost?: boolean}>;
    };
    expect(container.resources?.[0]?.startup_cpu_boost).toBe(true);
  });
});

describe('the Terraform module and NOTIFICATION_TOPIC', () => {
  type Resources = Record<string, Record<string, Record<string, unknown>[]>>;
  let json: {locals: Record<string, string>[]; resource: Resources};
  beforeAll(async () => {
    json = (await mainTf()) as typeof json;
  });
  const resource = (type: string, name: string) =>
    json.resource[type]![name]![0]!;

  it('enables Pub/Sub and creates the topic only when it is named, in project_id, and create_notification_topic allows', () => {
    const locals = Object.assign({}, ...json.locals) as Record<string, string>;
    expect(locals['apis']).toContain(
      'local.topic_id != "" ? ["pubsub.googleapis.com"] : []',
    );
    const topic = resource('google_pubsub_topic', 'events');
    expect(topic['count']).toBe(
      '${local.topic_id != "" && local.topic_project == var.project_id && var.create_notification_topic ? 1 : 0}',
    );
    expect(topic['name']).toBe('${local.topic_id}');
  });

  it('lets exactly the functions that publish events publish to the topic, wherever it lives', () => {
    const grant = resource('google_pubsub_topic_iam_member', 'publisher');
    expect(grant['for_each']).toBe(
      '${local.topic_id == "" ? {} : { for k, f in local.functions : k => f if f.events }}',
    );
    expect(grant['project']).toBe('${local.topic_project}');
    expect(grant['role']).toBe('roles/pubsub.publisher');
    // The same functions that may read the SMTP secret: app, activate, approve.
    expect(
      resource('google_secret_manager_secret_iam_member', 'smtp')['for_each'],
    ).toMatch(/if f\.mail/);
  });
});

describe('the Terraform module and reconciliation', () => {
  type Resources = Record<string, Record<string, Record<string, unknown>[]>>;
  let json: {locals: Record<string, unknown>[]; resource: Resources};
  beforeAll(async () => {
    json = (await mainTf()) as typeof json;
  });
  const resource = (type: string, name: string) =>
    json.resource[type]![name]![0]!;

  it('runs reconcile in both topologies, behind no IAP and no load balancer, with only Firestore and IAM-policy rights', () => {
    const locals = Object.assign({}, ...json.locals) as Record<string, string>;
    expect(locals['functions']).toContain('k == "reconcile" ||');
    expect(locals['served']).toBe(
      '${{ for k, f in local.functions : k => f if f.iap }}',
    );
    const defs = locals['function_defs'] as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(defs['reconcile']).toMatchObject({
      catalog: false,
      iam_admin: true,
      datastore: 'roles/datastore.user',
      mail: false,
      groups: false,
      iap: false,
    });
    const service = resource('google_cloud_run_v2_service', 'fn');
    expect(service['iap_enabled']).toBe('${!local.lb && each.value.iap}');
    expect(
      resource('google_cloud_run_v2_service_iam_member', 'iap_invoker')[
        'for_each'
      ],
    ).toBe('${local.served}');
    const lb = fs.readFileSync(path.join(MODULE, 'lb.tf'), 'utf8');
    expect(lb).not.toMatch(/local\.functions/);
  });

  it('lets only the scheduler account invoke it, from a job that posts to /reconcile with an OIDC token for its URL', () => {
    const invoker = resource(
      'google_cloud_run_v2_service_iam_member',
      'reconcile_invoker',
    );
    expect(invoker['name']).toBe(
      '${google_cloud_run_v2_service.fn["reconcile"].name}',
    );
    expect(invoker['member']).toBe(
      '${google_service_account.scheduler[0].member}',
    );
    const job = resource('google_cloud_scheduler_job', 'reconcile');
    expect(job['schedule']).toBe('${var.reconcile_schedule}');
    const target = (job['http_target'] as Record<string, unknown>[])[0]!;
    expect(target['uri']).toBe(
      '${google_cloud_run_v2_service.fn["reconcile"].uri}/reconcile',
    );
    expect(target['http_method']).toBe('POST');
    expect(target['headers']).toEqual({
      'Content-Type': 'application/json',
      'X-JIT-Access': '1',
    });
    expect((target['oidc_token'] as Record<string, unknown>[])[0]).toEqual({
      service_account_email: '${google_service_account.scheduler[0].email}',
      audience: '${google_cloud_run_v2_service.fn["reconcile"].uri}',
    });
  });
});

describe('the Terraform module and Google Chat (docs/chat.md)', () => {
  type Resources = Record<string, Record<string, Record<string, unknown>[]>>;
  let json: {locals: Record<string, unknown>[]; resource: Resources};
  beforeAll(async () => {
    json = (await mainTf()) as typeof json;
  });

  it("deploys chat only with CHAT_SPACE or CHAT_DIRECT_MESSAGES, behind no IAP, with approve's rights", () => {
    const locals = Object.assign({}, ...json.locals) as Record<string, unknown>;
    const defs = locals['function_defs'] as Record<
      string,
      Record<string, unknown>
    >;
    const rights = (f: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(f).filter(([k]) => k !== 'service' && k !== 'iap'),
      );
    expect(rights(defs['chat']!)).toEqual(rights(defs['approve']!));
    expect(defs['chat']!['iap']).toBe(false);
    expect(locals['chat_on']).toContain('CHAT_SPACE');
    expect(locals['chat_on']).toContain('CHAT_DIRECT_MESSAGES');
    expect(locals['functions']).toContain('k == "chat" ? local.chat_on');
    expect(locals['env']).toContain('CHAT_AUDIENCE');
    expect(String(locals['apis'])).toContain('chat.googleapis.com');
  });

  it('lets anyone invoke chat at Cloud Run (Chat has no identity of ours), and only chat', () => {
    const open =
      json.resource['google_cloud_run_v2_service_iam_member']![
        'chat_public'
      ]![0]!;
    expect(open).toMatchObject({
      role: 'roles/run.invoker',
      member: 'allUsers',
      name: '${google_cloud_run_v2_service.fn["chat"].name}',
    });
    const all = JSON.stringify(json.resource).match(/allUsers/g) ?? [];
    expect(all).toHaveLength(1);
  });
});

describe('the Terraform module and programmatic access', () => {
  it('allowlists the clients on each service behind IAP, by its IAP resource name, and outputs the audience', async () => {
    const json = (await mainTf()) as {
      resource: Record<string, Record<string, Record<string, unknown>[]>>;
    };
    const settings = json.resource['google_iap_settings']!['programmatic']![0]!;
    expect(settings['for_each']).toBe(
      '${length(var.iap_programmatic_clients) == 0 ? {} : local.served}',
    );
    expect(String(settings['name'])).toContain(
      '/iap_web/compute/services/${each.value.service}',
    );
    expect(String(settings['name'])).toContain(
      '/iap_web/cloud_run-${var.region}/services/${each.value.service}',
    );
    const access = (
      settings['access_settings'] as Record<string, unknown>[]
    )[0]!;
    expect(
      (access['oauth_settings'] as Record<string, unknown>[])[0]![
        'programmatic_clients'
      ],
    ).toBe('${var.iap_programmatic_clients}');
    expect(fs.readFileSync(path.join(MODULE, 'outputs.tf'), 'utf8')).toMatch(
      /output "cli_audience"/,
    );
  });
});

describe('the Terraform module and the health checks', () => {
  it('gives every service a startup probe (/health/ready, or /health/alive in lb) and a liveness probe on /health/alive', async () => {
    const json = (await mainTf()) as {
      resource: Record<
        string,
        Record<
          string,
          Array<{
            template: Array<{
              containers: Array<{
                startup_probe?: Array<Record<string, unknown>>;
                liveness_probe?: Array<Record<string, unknown>>;
              }>;
            }>;
          }>
        >
      >;
    };
    const container =
      json.resource['google_cloud_run_v2_service']!['fn']![0]!.template[0]!
        .containers[0]!;
    expect(container.startup_probe).toEqual([
      {
        timeout_seconds: 3,
        period_seconds: 5,
        failure_threshold: 24,
        http_get: [{path: '${local.lb ? "/health/alive" : "/health/ready"}'}],
      },
    ]);
    expect(container.liveness_probe).toEqual([
      {
        timeout_seconds: 3,
        period_seconds: 30,
        failure_threshold: 3,
        http_get: [{path: '/health/alive'}],
      },
    ]);
  });
});

describe('the Terraform module and firestore.indexes.json', () => {
  itIf(
    fs.existsSync(INDEX_FILE),
    'firestore.indexes.json is not in the repository yet',
  )(
    'creates the composite indexes and the deleteAt TTL that firestore.indexes.json defines',
    async () => {
      const file = JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as {
        indexes: {
          collectionGroup: string;
          fields: {fieldPath: string; order?: string; arrayConfig?: string}[];
        }[];
        fieldOverrides?: {
          collectionGroup: string;
          fieldPath: string;
          ttl?: boolean;
        }[];
      };
      const expected = file.indexes
        .map(
          i =>
            `${i.collectionGroup} ` +
            i.fields
              .map(f => `${f.fieldPath}:${f.arrayConfig ?? f.order}`)
              .join(' '),
        )
        .sort();
      const json = (await mainTf()) as {
        locals: Record<string, unknown>[];
      };
      const local = (name: string) =>
        json.locals.find(l => name in l)![name] as Record<string, string[][]>;
      const defined = [
        ...Object.values(local('firestore_indexes')).map(
          f => ['requests', f] as const,
        ),
        ...Object.values(local('grant_indexes')).map(
          f => ['grants', f] as const,
        ),
      ]
        .map(
          ([group, fields]) =>
            `${group} ` + fields.map(([p, o]) => `${p}:${o}`).join(' '),
        )
        .sort();
      expect(defined).toEqual(expected);
      expect(
        file.fieldOverrides
          ?.filter(f => f.ttl)
          .map(f => `${f.collectionGroup}.${f.fieldPath}`),
      ).toEqual(['requests.deleteAt', 'grants.deleteAt']);
      const main = fs.readFileSync(path.join(MODULE, 'main.tf'), 'utf8');
      expect(
        main
          .match(
            /collection = local\.(\w+)\s+field\s+= "deleteAt"\s+ttl_config \{\}/g,
          )
          ?.map(m => /local\.(\w+)/.exec(m)![1]),
      ).toEqual(['grants', 'collection']);
    },
  );
});

describe('the graph checks themselves', () => {
  const CIRCULAR = `
resource "google_cloud_run_v2_service" "fn" {
  name = "jit-access"
  template {
    containers {
      env {
        name  = "IAP_BACKEND_SERVICE_ID"
        value = google_compute_backend_service.fn.generated_id
      }
    }
  }
}
resource "google_compute_region_network_endpoint_group" "fn" {
  cloud_run {
    service = google_cloud_run_v2_service.fn.name
  }
}
resource "google_compute_backend_service" "fn" {
  backend {
    group = google_compute_region_network_endpoint_group.fn.id
  }
}
`;
  const THROUGH_LOCAL = `
locals {
  audience = "/projects/1/global/backendServices/\${google_compute_backend_service.fn["web"].id}"
}
resource "google_compute_backend_service" "fn" {
  for_each = toset(["web"])
  name     = each.key
}
resource "google_cloud_run_v2_service" "fn" {
  name = "jit-access"
  template {
    containers {
      env {
        name  = "IAP_AUDIENCE"
        value = local.audience
      }
    }
  }
}
`;

  it('finds the cycle of upstream issue #324 (a service given its backend service ID)', async () => {
    const graph = await buildGraph({'main.tf': CIRCULAR});
    expect(findCycle(graph)).toEqual(
      expect.arrayContaining([
        'google_cloud_run_v2_service.fn',
        'google_compute_backend_service.fn',
      ]),
    );
    expect(serviceToBackendReferences(graph)).toContain(
      'google_cloud_run_v2_service.fn -> google_compute_backend_service.fn.generated_id',
    );
  });

  it('finds a backend service ID that reaches a service through a local', async () => {
    const graph = await buildGraph({'main.tf': THROUGH_LOCAL});
    expect(findCycle(graph)).toBeUndefined();
    expect(serviceToBackendReferences(graph)).toEqual([
      'google_cloud_run_v2_service.fn -> google_compute_backend_service.fn.id',
    ]);
  });
});

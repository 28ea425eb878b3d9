/**
 * The Terraform module, parsed with @cdktf/hcl2json (no Terraform binary):
 * its reference graph is acyclic and no Cloud Run service waits for a backend
 * service, which is the circular dependency this project exists to remove.
 */
import {parse} from '@cdktf/hcl2json';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {itIf} from '../support/skip';
import {
  buildGraph,
  findCycle,
  Graph,
  parseModule,
  serviceToBackendReferences,
} from './terraform-graph';
import {REPO} from './harness';

const MODULE = path.join(REPO, 'terraform');

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

const INDEX_FILE = path.join(REPO, 'firestore.indexes.json');
describe('the Terraform module and firestore.indexes.json', () => {
  itIf(
    fs.existsSync(INDEX_FILE),
    'firestore.indexes.json is not in the repository yet',
  )(
    'creates the composite indexes and the deleteAt TTL that firestore.indexes.json defines',
    async () => {
      const file = JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as {
        indexes: {
          fields: {fieldPath: string; order?: string; arrayConfig?: string}[];
        }[];
        fieldOverrides?: {fieldPath: string; ttl?: boolean}[];
      };
      const expected = file.indexes
        .map(i =>
          i.fields
            .map(f => `${f.fieldPath}:${f.arrayConfig ?? f.order}`)
            .join(' '),
        )
        .sort();
      const json = (await parse(
        'main.tf',
        fs.readFileSync(path.join(MODULE, 'main.tf'), 'utf8'),
      )) as {
        locals: Record<string, unknown>[];
      };
      const indexes = json.locals.find(l => 'firestore_indexes' in l)!
        .firestore_indexes as Record<string, string[][]>;
      const defined = Object.values(indexes)
        .map(fields => fields.map(([p, o]) => `${p}:${o}`).join(' '))
        .sort();
      expect(defined).toEqual(expected);
      expect(
        file.fieldOverrides?.filter(f => f.ttl).map(f => f.fieldPath),
      ).toEqual(['deleteAt']);
      expect(fs.readFileSync(path.join(MODULE, 'main.tf'), 'utf8')).toMatch(
        /field\s+= "deleteAt"\s+ttl_config \{\}/,
      );
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

/**
 * The dependency graph of a Terraform module, from its .tf files parsed with
 * @cdktf/hcl2json: a node per resource, data source, local, variable and
 * output; an edge for each reference (and depends_on) in its body.
 */
import {parse} from '@cdktf/hcl2json';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Reference {
  /** `google_x.name`, `data.google_x.name`, `local.name`, `var.name`. */
  target: string;
  /** The attribute read, when the expression names one: `id` in `google_x.name[k].id`. */
  attribute?: string;
}

export interface Graph {
  /** Node → the references in its body. */
  edges: Map<string, Reference[]>;
  /** Node → its type (`google_cloud_run_v2_service`, `local`, …). */
  types: Map<string, string>;
}

type Json = Record<string, unknown>;

/** Parses every .tf file of a folder. */
export async function parseModule(
  dir: string,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.tf'))
    .sort()) {
    files[name] = fs.readFileSync(path.join(dir, name), 'utf8');
  }
  return files;
}

/** Builds the graph of a module given as file name → HCL text. */
export async function buildGraph(
  files: Record<string, string>,
): Promise<Graph> {
  const blocks: {node: string; type: string; body: unknown}[] = [];
  for (const [name, text] of Object.entries(files)) {
    const json = (await parse(name, text)) as Json;
    for (const [type, byName] of Object.entries(
      (json.resource ?? {}) as Json,
    )) {
      for (const [n, body] of Object.entries(byName as Json))
        blocks.push({node: `${type}.${n}`, type, body});
    }
    for (const [type, byName] of Object.entries((json.data ?? {}) as Json)) {
      for (const [n, body] of Object.entries(byName as Json))
        blocks.push({node: `data.${type}.${n}`, type: `data.${type}`, body});
    }
    for (const locals of (json.locals ?? []) as Json[]) {
      for (const [n, body] of Object.entries(locals))
        blocks.push({node: `local.${n}`, type: 'local', body});
    }
    for (const [n, body] of Object.entries((json.variable ?? {}) as Json)) {
      blocks.push({node: `var.${n}`, type: 'variable', body});
    }
    for (const [n, body] of Object.entries((json.output ?? {}) as Json)) {
      blocks.push({node: `output.${n}`, type: 'output', body});
    }
  }
  const nodes = new Set(blocks.map(b => b.node));
  const edges = new Map<string, Reference[]>();
  const types = new Map<string, string>();
  for (const {node, type, body} of blocks) {
    types.set(node, type);
    const refs: Reference[] = [];
    for (const text of strings(body)) {
      for (const expression of text.match(/\$\{[\s\S]*\}/g) ?? [])
        refs.push(...references(expression, nodes));
    }
    const existing = edges.get(node) ?? [];
    edges.set(node, [...existing, ...refs.filter(r => r.target !== node)]);
  }
  return {edges, types};
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object')
    return Object.values(value).flatMap(strings);
  return [];
}

/** The references to known nodes in one expression, with the attribute read when there is one. */
function references(expression: string, nodes: Set<string>): Reference[] {
  const found: Reference[] = [];
  const pattern =
    /\b((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)((?:\[[^\]]*\])*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/g;
  for (const m of expression.matchAll(pattern)) {
    const target = m[1]!;
    if (!nodes.has(target)) continue;
    found.push(m[3] ? {target, attribute: m[3]} : {target});
  }
  return found;
}

/** A cycle as a list of nodes, or undefined when the graph is acyclic. */
export function findCycle(graph: Graph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open')
      return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const ref of graph.edges.get(node) ?? []) {
      const cycle = visit(ref.target);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every node reachable from a node, with the references that reach it. */
export function reachable(graph: Graph, from: string): Reference[] {
  const seen = new Set<string>();
  const out: Reference[] = [];
  const walk = (node: string) => {
    for (const ref of graph.edges.get(node) ?? []) {
      out.push(ref);
      if (!seen.has(ref.target)) {
        seen.add(ref.target);
        walk(ref.target);
      }
    }
  };
  walk(from);
  return out;
}

/** Cloud Run services and functions, in every provider generation. */
export const SERVICE_TYPES = [
  'google_cloud_run_v2_service',
  'google_cloud_run_service',
  'google_cloudfunctions2_function',
  'google_cloudfunctions_function',
];
export const BACKEND_SERVICE_TYPES = [
  'google_compute_backend_service',
  'google_compute_region_backend_service',
];

/**
 * The references by which a Cloud Run service or function reaches a backend
 * service, directly or through locals and other resources: each one would
 * make the service wait for (or, with an ID, need) a backend service.
 */
export function serviceToBackendReferences(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [node, type] of graph.types) {
    if (!SERVICE_TYPES.includes(type)) continue;
    for (const ref of reachable(graph, node)) {
      const targetType = graph.types.get(ref.target) ?? '';
      if (BACKEND_SERVICE_TYPES.includes(targetType)) {
        problems.push(
          `${node} -> ${ref.target}${ref.attribute ? '.' + ref.attribute : ''}`,
        );
      }
    }
  }
  return problems;
}

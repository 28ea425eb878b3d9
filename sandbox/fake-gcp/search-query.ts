/**
 * The query language of Resource Manager v3 `projects.search`, as its
 * reference describes it (https://cloud.google.com/resource-manager/reference/rest/v3/projects/search):
 * `field:value` terms; several terms match *any* of them; values are case
 * insensitive and `*` is a wildcard. Fields: displayName/name, parent,
 * parent.type, parent.id, id/projectId, state/lifecycleState, labels,
 * labels.<key>. Beyond the reference, the fake reads an explicit `AND`
 * between two terms as both, and `OR` as the same as a space.
 */
import type {WorldProject} from './world';

interface Term {
  field: string;
  value: string;
}

/** Groups of terms: a project matches when every term of some group does. */
export type ProjectQuery = Term[][];

const FIELDS = new Set([
  'displayname',
  'name',
  'parent',
  'parent.type',
  'parent.id',
  'id',
  'projectid',
  'state',
  'lifecyclestate',
  'labels',
]);

function tokens(query: string): string[] {
  // Terms may quote their values: name:"my project".
  return query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

export function parseProjectQuery(
  query: string,
): {query: ProjectQuery} | {error: string} {
  const groups: ProjectQuery = [];
  let current: Term[] = [];
  let joinNext = false;
  for (const token of tokens(query)) {
    if (token === 'AND') {
      joinNext = true;
      continue;
    }
    if (token === 'OR') continue;
    const m = /^([A-Za-z.]+[A-Za-z0-9_.-]*)\s*[:=]\s*(.+)$/.exec(token);
    if (!m) return {error: `Invalid query: cannot parse "${token}".`};
    const field = m[1]!.toLowerCase();
    if (!FIELDS.has(field) && !field.startsWith('labels.')) {
      return {error: `Invalid query: unknown field "${m[1]}".`};
    }
    const term = {field, value: m[2]!.replace(/^"|"$/g, '')};
    if (joinNext && current.length) {
      current.push(term);
    } else {
      if (current.length) groups.push(current);
      current = [term];
    }
    joinNext = false;
  }
  if (current.length) groups.push(current);
  return {query: groups};
}

function like(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    'i',
  );
  return re.test(value);
}

function termMatches(t: Term, p: WorldProject): boolean {
  const [parentType, parentId] = p.parent.split('/');
  switch (t.field) {
    case 'displayname':
    case 'name':
      return like(t.value, p.displayName ?? p.projectId);
    case 'parent':
      return like(t.value, p.parent);
    case 'parent.type':
      return like(
        t.value,
        parentType === 'folders' ? 'folder' : 'organization',
      );
    case 'parent.id':
      return like(t.value, parentId);
    case 'id':
    case 'projectid':
      return like(t.value, p.projectId);
    case 'state':
    case 'lifecyclestate':
      return like(t.value, p.state ?? 'ACTIVE');
    case 'labels':
      return Object.entries(p.labels ?? {}).some(
        ([k, v]) => like(t.value, k) || like(t.value, v),
      );
    default: {
      const key = t.field.slice('labels.'.length);
      const value = Object.entries(p.labels ?? {}).find(
        ([k]) => k.toLowerCase() === key,
      )?.[1];
      return t.value === '*' ? value !== undefined : like(t.value, value);
    }
  }
}

/** An empty query matches every project. */
export function matchesProjectQuery(q: ProjectQuery, p: WorldProject): boolean {
  return q.length === 0 || q.some(group => group.every(t => termMatches(t, p)));
}

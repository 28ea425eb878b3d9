/**
 * The subset of Cloud Asset's search query language the fake understands
 * (https://cloud.google.com/asset-inventory/docs/query-syntax,
 * https://cloud.google.com/asset-inventory/docs/searching-iam-policies#how_to_construct_a_query):
 *
 * - `field:value` (word match: the value's words all occur among the field's
 *   words; a trailing `*` matches a word prefix) and `field=value` (exact,
 *   case-insensitive);
 * - `field:(a OR b)` applies the field to every value inside;
 * - `AND` (or juxtaposition), `OR`, `NOT` / `-`, parentheses; `AND` binds
 *   tighter than `OR`;
 * - values quoted with double quotes; a bare word searches every field.
 *
 * Which fields exist, and what their words are, is the caller's (asset.ts).
 */

export type QueryNode =
  | {kind: 'and' | 'or'; items: QueryNode[]}
  | {kind: 'not'; item: QueryNode}
  | {kind: 'term'; field?: string; exact: boolean; value: string};

/** Answers one term against the thing searched. */
export type TermMatcher = (
  field: string | undefined,
  value: string,
  exact: boolean,
) => boolean;

function tokenize(query: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|[^\s()"]+(?:"(?:[^"\\]|\\.)*")?)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < query.length && (m = re.exec(query))) {
    out.push(m[1]!);
    at = re.lastIndex;
  }
  if (query.slice(at).trim())
    throw new Error(`cannot parse "${query.slice(at)}"`);
  return out;
}

const unquote = (s: string) =>
  s.startsWith('"') && s.endsWith('"')
    ? s.slice(1, -1).replace(/\\(.)/g, '$1')
    : s;

/** Parses a query; throws an Error whose message suits a 400. */
export function parseAssetQuery(query: string): QueryNode {
  const tokens = tokenize(query);
  let i = 0;
  const peek = () => tokens[i];

  function parseOr(field: string | undefined): QueryNode {
    const items = [parseAnd(field)];
    while (peek() === 'OR') {
      i++;
      items.push(parseAnd(field));
    }
    return items.length === 1 ? items[0]! : {kind: 'or', items};
  }
  function parseAnd(field: string | undefined): QueryNode {
    const items = [parseUnary(field)];
    while (i < tokens.length && peek() !== 'OR' && peek() !== ')') {
      if (peek() === 'AND') i++;
      items.push(parseUnary(field));
    }
    return items.length === 1 ? items[0]! : {kind: 'and', items};
  }
  function parseUnary(field: string | undefined): QueryNode {
    const t = peek();
    if (t === undefined) throw new Error('unexpected end of query');
    if (t === 'NOT') {
      i++;
      return {kind: 'not', item: parseUnary(field)};
    }
    if (t.startsWith('-') && t.length > 1) {
      tokens[i] = t.slice(1);
      return {kind: 'not', item: parseUnary(field)};
    }
    if (t === '(') {
      i++;
      const inner = parseOr(field);
      if (peek() !== ')') throw new Error('missing ")"');
      i++;
      return inner;
    }
    if (t === ')') throw new Error('unexpected ")"');
    i++;
    // field:value, field=value, field:( … ), or a bare word.
    const m = /^([A-Za-z][A-Za-z0-9_.]*)(:|=)(.*)$/s.exec(t);
    if (m && field === undefined) {
      const [, name, op, rest] = m;
      if (rest === '') {
        if (peek() !== '(') throw new Error(`no value for "${name}"`);
        i++;
        const inner = parseOr(name);
        if (peek() !== ')') throw new Error('missing ")"');
        i++;
        return op === '=' ? exactly(inner) : inner;
      }
      return {
        kind: 'term',
        field: name,
        exact: op === '=',
        value: unquote(rest!),
      };
    }
    return {kind: 'term', field, exact: false, value: unquote(t)};
  }
  function exactly(n: QueryNode): QueryNode {
    if (n.kind === 'term') return {...n, exact: true};
    if (n.kind === 'not') return {kind: 'not', item: exactly(n.item)};
    return {kind: n.kind, items: n.items.map(exactly)};
  }

  if (tokens.length === 0) return {kind: 'and', items: []};
  const node = parseOr(undefined);
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}"`);
  return node;
}

export function evaluate(node: QueryNode, match: TermMatcher): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every(n => evaluate(n, match));
    case 'or':
      return node.items.some(n => evaluate(n, match));
    case 'not':
      return !evaluate(node.item, match);
    case 'term':
      return match(node.field, node.value, node.exact);
  }
}

/** Words of a text, as search indexes them. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s:/()"',=<>!&|{}[\]]+/)
    .filter(Boolean);
}

/** `field:value` semantics: every word of the value among the words (prefix with `*`). */
export function wordMatch(value: string, haystack: string[]): boolean {
  const wanted = words(value.replace(/\*$/, ' *'));
  if (wanted.length === 0) return false;
  const prefix = value.endsWith('*');
  return wanted
    .filter(w => w !== '*')
    .every((w, idx, all) =>
      prefix && idx === all.length - 1
        ? haystack.some(h => h.startsWith(w))
        : haystack.includes(w),
    );
}

/**
 * A small CEL parser and printer that re-prints an expression the way
 * upstream does (it compiles the resource condition with cel-java and prints
 * it with `CelUnparser`): binary operators with one space each side,
 * parentheses only where precedence needs them, strings double-quoted.
 *
 * `normaliseCel('a>b && b <    c')` → `'a > b && b < c'`;
 * `normaliseCel("resource.name=='x'")` → `'resource.name == "x"'`.
 *
 * Only the printed form matters here (it is how entitlements are compared),
 * not evaluation. Macros (`has`, `exists`, `all`, `map`, `filter`, …) print
 * back as the calls they were written as, as cel-java's unparser does from
 * its macro records.
 */

type Node =
  | {kind: 'lit'; text: string}
  | {kind: 'ident'; name: string}
  | {kind: 'select'; operand: Node; field: string}
  | {kind: 'call'; fn: string; target?: Node; args: Node[]}
  | {kind: 'index'; operand: Node; index: Node}
  | {kind: 'unary'; op: '!' | '-'; operand: Node}
  | {kind: 'binary'; op: string; left: Node; right: Node}
  | {kind: 'cond'; test: Node; then: Node; else: Node}
  | {kind: 'list'; items: Node[]}
  | {kind: 'map'; entries: Array<[Node, Node]>}
  | {kind: 'struct'; name: string; fields: Array<[string, Node]>};

type Token =
  | {t: 'op'; v: string}
  | {t: 'ident'; v: string}
  | {t: 'lit'; v: string}
  | {t: 'num'; v: string; negatable: true};

class CelSyntaxError extends Error {}

const OPERATORS = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '?': '?',
  '"': '"',
  "'": "'",
  '`': '`',
};

/**
 * Decodes the body of a (non-raw) CEL literal into code units: a string
 * literal's code points, or a bytes literal's bytes (each 0-255). In a bytes
 * literal `\xHH` and `\ooo` are one byte each and every other character
 * stands for its UTF-8 bytes; `\u` and `\U` are refused there, as in CEL.
 */
function unescapeUnits(body: string, bytes: boolean): number[] {
  const out: number[] = [];
  const literal = (ch: string) => {
    if (bytes) out.push(...Buffer.from(ch, 'utf8'));
    else out.push(ch.codePointAt(0)!);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      const ch = String.fromCodePoint(body.codePointAt(i)!);
      literal(ch);
      i += ch.length - 1;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new CelSyntaxError('dangling escape');
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple.charCodeAt(0));
      continue;
    }
    const hexLength =
      e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLength) {
      if (bytes && hexLength > 2) {
        throw new CelSyntaxError('unicode escape in bytes');
      }
      const hex = body.slice(i + 1, i + 1 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) {
        throw new CelSyntaxError('bad escape');
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw new CelSyntaxError('bad code point');
      }
      out.push(code);
      i += hexLength;
      continue;
    }
    const octal = body.slice(i, i + 3);
    if (/^[0-3][0-7]{2}$/.test(octal)) {
      out.push(parseInt(octal, 8));
      i += 2;
      continue;
    }
    throw new CelSyntaxError('bad escape');
  }
  return out;
}

function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\x07') out += '\\a';
    else if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else out += ch;
  }
  return out + '"';
}

/**
 * Prints bytes exactly: printable ASCII stays readable (`"` and `\\`
 * escaped), every other byte is a three-digit octal escape, so the printed
 * literal holds the same bytes as the one that was read.
 */
function quoteBytes(bytes: readonly number[]): string {
  let out = 'b"';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (byte >= 0x20 && byte < 0x7f) out += ch;
    else out += '\\' + byte.toString(8).padStart(3, '0');
  }
  return out + '"';
}

function stringLiteral(
  source: string,
  at: number,
): {end: number; text: string} {
  let i = at;
  let raw = false;
  let bytes = false;
  while (/[rRbB]/.test(source[i] ?? '')) {
    if (/[rR]/.test(source[i]!)) raw = true;
    else bytes = true;
    i++;
  }
  const q = source[i];
  if (q !== '"' && q !== "'") throw new CelSyntaxError('not a string');
  const triple = source.startsWith(q.repeat(3), i);
  const delimiter = triple ? q.repeat(3) : q;
  let j = i + delimiter.length;
  while (j < source.length && !source.startsWith(delimiter, j)) {
    if (!triple && (source[j] === '\n' || source[j] === '\r')) {
      throw new CelSyntaxError('newline in string');
    }
    j += source[j] === '\\' && !raw ? 2 : 1;
  }
  if (j >= source.length) throw new CelSyntaxError('unterminated string');
  const body = source.slice(i + delimiter.length, j);
  const end = j + delimiter.length;
  if (bytes) {
    return {
      end,
      text: quoteBytes(
        raw ? [...Buffer.from(body, 'utf8')] : unescapeUnits(body, true),
      ),
    };
  }
  const value = raw
    ? body
    : String.fromCodePoint(...unescapeUnits(body, false));
  return {end, text: quote(value)};
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (/[rRbB]/.test(c) && /^[rRbB]{1,2}["']/.test(source.slice(i, i + 3))) {
      const s = stringLiteral(source, i);
      tokens.push({t: 'lit', v: s.text});
      i = s.end;
      continue;
    }
    if (c === '"' || c === "'") {
      const s = stringLiteral(source, i);
      tokens.push({t: 'lit', v: s.text});
      i = s.end;
      continue;
    }
    const num =
      /^(?:0x[0-9a-fA-F]+[uU]?|[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|[0-9]+[uU]?)/.exec(
        source.slice(i),
      );
    if (num && !(c === '.' && tokens.length && isOperandEnd(tokens))) {
      tokens.push({t: 'num', v: num[0], negatable: true});
      i += num[0].length;
      continue;
    }
    const ident = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(source.slice(i));
    if (ident) {
      tokens.push({t: 'ident', v: ident[0]});
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find(o => source.startsWith(o, i));
    if (!op) throw new CelSyntaxError(`unexpected character ${c}`);
    tokens.push({t: 'op', v: op});
    i += op.length;
  }
  return tokens;
}

function isOperandEnd(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1]!;
  return last.t !== 'op' || [')', ']', '}'].includes(last.v);
}

function formatNumber(text: string, negative: boolean): string {
  const sign = negative ? '-' : '';
  if (/^0x/i.test(text)) {
    const unsigned = /[uU]$/.test(text);
    const value = BigInt(unsigned ? text.slice(0, -1) : text);
    return sign + value.toString() + (unsigned ? 'u' : '');
  }
  if (/[uU]$/.test(text)) return BigInt(text.slice(0, -1)).toString() + 'u';
  if (/^[0-9]+$/.test(text)) return sign + BigInt(text).toString();
  return sign + formatDouble(Number(text));
}

/**
 * A double as cel-java's unparser prints it (Java's `Double.toString`, with
 * the shortest digits that read back as the same value): decimal notation
 * with at least one digit after the point for 10^-3 <= |x| < 10^7
 * (`1.5`, `100.0`), else `d.dddE±n` (`1.2345678E7`, `1.0E-4`). Either way
 * it stays a double literal: never `12345678`, which CEL reads as an int.
 */
export function formatDouble(value: number): string {
  if (!Number.isFinite(value)) {
    // Java would print `Infinity`, which is not CEL: keep the expression as written.
    throw new CelSyntaxError('double out of range');
  }
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    // In this range JavaScript prints the same shortest digits, never with an exponent.
    const plain = String(value);
    return plain.includes('.') ? plain : plain + '.0';
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [
    string,
    string,
  ];
  return (
    (mantissa.includes('.') ? mantissa : mantissa + '.0') +
    'E' +
    exponent.replace(/^\+/, '')
  );
}

const RELATIONS = new Set(['<', '<=', '>', '>=', '==', '!=', 'in']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expr();
    if (this.pos !== this.tokens.length) {
      throw new CelSyntaxError('unexpected trailing input');
    }
    return node;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new CelSyntaxError(`expected ${v}`);
    this.pos++;
  }

  private expr(): Node {
    const test = this.or();
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.or();
    this.expect(':');
    return {kind: 'cond', test, then, else: this.expr()};
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      left = {kind: 'binary', op: '||', left, right: this.and()};
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.isOp('&&')) {
      this.pos++;
      left = {kind: 'binary', op: '&&', left, right: this.relation()};
    }
    return left;
  }

  private relation(): Node {
    let left = this.addition();
    for (;;) {
      const t = this.peek();
      const op =
        t?.t === 'op' && RELATIONS.has(t.v)
          ? t.v
          : t?.t === 'ident' && t.v === 'in'
            ? 'in'
            : undefined;
      if (!op) return left;
      this.pos++;
      left = {kind: 'binary', op, left, right: this.addition()};
    }
  }

  private addition(): Node {
    let left = this.multiplication();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.pos++] as {v: string}).v;
      left = {kind: 'binary', op, left, right: this.multiplication()};
    }
    return left;
  }

  private multiplication(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.tokens[this.pos++] as {v: string}).v;
      left = {kind: 'binary', op, left, right: this.unary()};
    }
    return left;
  }

  private unary(): Node {
    for (const op of ['!', '-'] as const) {
      if (!this.isOp(op)) continue;
      let count = 0;
      while (this.isOp(op)) {
        this.pos++;
        count++;
      }
      // A minus directly before a number is part of the literal, as in CEL's grammar.
      if (op === '-' && count === 1 && this.peek()?.t === 'num') {
        const num = this.tokens[this.pos++] as {v: string};
        return this.postfix({kind: 'lit', text: formatNumber(num.v, true)});
      }
      const operand = this.member();
      // CEL's parser drops an even run of `!` or `-`.
      return count % 2 === 0 ? operand : {kind: 'unary', op, operand};
    }
    return this.member();
  }

  private member(): Node {
    return this.postfix(this.primary());
  }

  private postfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const name = this.peek();
        if (name?.t !== 'ident') throw new CelSyntaxError('expected a field');
        this.pos++;
        if (this.isOp('(')) {
          node = {kind: 'call', fn: name.v, target: node, args: this.args(')')};
        } else {
          node = {kind: 'select', operand: node, field: name.v};
        }
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.expr();
        this.expect(']');
        node = {kind: 'index', operand: node, index};
      } else if (this.isOp('{') && isQualifiedName(node)) {
        node = {
          kind: 'struct',
          name: qualifiedName(node),
          fields: this.fields(),
        };
      } else {
        return node;
      }
    }
  }

  private args(close: string): Node[] {
    this.pos++; // the opening bracket
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr());
      if (!this.isOp(',')) break;
      this.pos++;
    }
    this.expect(close);
    return items;
  }

  private fields(): Array<[string, Node]> {
    this.pos++;
    const fields: Array<[string, Node]> = [];
    while (!this.isOp('}')) {
      const name = this.peek();
      if (name?.t !== 'ident')
        throw new CelSyntaxError('expected a field name');
      this.pos++;
      this.expect(':');
      fields.push([name.v, this.expr()]);
      if (!this.isOp(',')) break;
      this.pos++;
    }
    this.expect('}');
    return fields;
  }

  private primary(): Node {
    const t = this.peek();
    if (t === undefined) throw new CelSyntaxError('unexpected end');
    if (t.t === 'lit') {
      this.pos++;
      return {kind: 'lit', text: t.v};
    }
    if (t.t === 'num') {
      this.pos++;
      return {kind: 'lit', text: formatNumber(t.v, false)};
    }
    if (t.t === 'ident') {
      this.pos++;
      if (['true', 'false', 'null'].includes(t.v))
        return {kind: 'lit', text: t.v};
      if (t.v === 'in') throw new CelSyntaxError('reserved word');
      if (this.isOp('(')) return {kind: 'call', fn: t.v, args: this.args(')')};
      return {kind: 'ident', name: t.v};
    }
    switch (t.v) {
      case '(': {
        this.pos++;
        const inner = this.expr();
        this.expect(')');
        return inner;
      }
      case '[':
        return {kind: 'list', items: this.args(']')};
      case '{': {
        this.pos++;
        const entries: Array<[Node, Node]> = [];
        while (!this.isOp('}')) {
          const key = this.expr();
          this.expect(':');
          entries.push([key, this.expr()]);
          if (!this.isOp(',')) break;
          this.pos++;
        }
        this.expect('}');
        return {kind: 'map', entries};
      }
      case '.': {
        // A root-qualified name such as `.google.type.Expr`.
        this.pos++;
        const name = this.peek();
        if (name?.t !== 'ident') throw new CelSyntaxError('expected a name');
        this.pos++;
        return {kind: 'ident', name: '.' + name.v};
      }
      default:
        throw new CelSyntaxError(`unexpected ${t.v}`);
    }
  }
}

function isQualifiedName(node: Node): boolean {
  return (
    node.kind === 'ident' ||
    (node.kind === 'select' && isQualifiedName(node.operand))
  );
}

function qualifiedName(node: Node): string {
  if (node.kind === 'ident') return node.name;
  if (node.kind === 'select')
    return `${qualifiedName(node.operand)}.${node.field}`;
  throw new CelSyntaxError('not a name');
}

// cel-go / cel-java operator precedence: a lower number binds tighter.
const PRECEDENCE: Record<string, number> = {
  '?:': 8,
  '||': 7,
  '&&': 6,
  '==': 5,
  '!=': 5,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  in: 5,
  '+': 4,
  '-': 4,
  '*': 3,
  '/': 3,
  '%': 3,
};

function operatorOf(node: Node): string | undefined {
  if (node.kind === 'binary') return node.op;
  if (node.kind === 'cond') return '?:';
  return undefined;
}

/** Binary and ternary operators: the unparser's "complex operators". */
function isComplex(node: Node): boolean {
  return operatorOf(node) !== undefined;
}

function bindsLooser(op: string, child: Node): boolean {
  const childOp = operatorOf(child);
  return childOp !== undefined && PRECEDENCE[op]! < PRECEDENCE[childOp]!;
}

function nested(node: Node, paren: boolean): string {
  return paren ? `(${print(node)})` : print(node);
}

function print(node: Node): string {
  switch (node.kind) {
    case 'lit':
      return node.text;
    case 'ident':
      return node.name;
    case 'select':
      return `${nested(node.operand, isComplex(node.operand))}.${node.field}`;
    case 'call': {
      const args = node.args.map(print).join(', ');
      const target = node.target
        ? nested(node.target, isComplex(node.target)) + '.'
        : '';
      return `${target}${node.fn}(${args})`;
    }
    case 'index':
      return `${nested(node.operand, isComplex(node.operand))}[${print(node.index)}]`;
    case 'unary':
      return node.op + nested(node.operand, isComplex(node.operand));
    case 'binary': {
      const left = nested(node.left, bindsLooser(node.op, node.left));
      // `&&` and `||` are associative; the others need parentheses on a
      // right operand of the same precedence.
      const leftRecursive = node.op !== '&&' && node.op !== '||';
      const rightOp = operatorOf(node.right);
      const right = nested(
        node.right,
        bindsLooser(node.op, node.right) ||
          (leftRecursive &&
            rightOp !== undefined &&
            PRECEDENCE[rightOp] === PRECEDENCE[node.op]),
      );
      return `${left} ${node.op} ${right}`;
    }
    case 'cond': {
      const part = (n: Node) => nested(n, isComplex(n));
      return `${part(node.test)} ? ${part(node.then)} : ${part(node.else)}`;
    }
    case 'list':
      return `[${node.items.map(print).join(', ')}]`;
    case 'map':
      return `{${node.entries.map(([k, v]) => `${print(k)}: ${print(v)}`).join(', ')}}`;
    case 'struct':
      return `${node.name}{${node.fields.map(([k, v]) => `${k}: ${print(v)}`).join(', ')}}`;
  }
}

/**
 * Re-prints a CEL expression in upstream's normalised form, or returns
 * undefined when the expression is not valid CEL (the caller decides what a
 * condition it cannot read means).
 */
export function normaliseCel(expression: string): string | undefined {
  try {
    return print(new Parser(tokenize(expression)).parse());
  } catch (e) {
    if (e instanceof CelSyntaxError || e instanceof SyntaxError)
      return undefined;
    throw e;
  }
}

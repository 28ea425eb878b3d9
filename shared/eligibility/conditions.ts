/**
 * IAM conditions as JIT Access 1.x reads and writes them (docs/design.md
 * §1), quirks included, checked against every vector of
 * test/fixtures/conditions.json (from upstream's own tests).
 *
 * Pure: no I/O. Recognition (eligibility markers, activation conditions,
 * time windows), formatting (activation conditions, timestamps), the purge
 * rule for old temporary bindings, and upstream's printed form of a
 * resource condition.
 */
import type {IamBinding, IamCondition} from '../ports';
import type {ActivationType} from './types';
import {normaliseCel} from './conditions-cel';

/** The title of every activation binding; recognition compares it exactly. */
export const ACTIVATION_TITLE = 'JIT access activation';

const JIT_MARKER = 'has({}.jitaccessconstraint)';
const MPA_MARKER = 'has({}.multipartyapprovalconstraint)';

/** What an eligible binding's condition says. */
export interface Eligibility {
  activationType: ActivationType;
  /** The other clauses, in upstream's normalised form; absent when none. */
  resourceCondition?: string;
}

/** What an activation binding's condition says. */
export interface ActivationCondition {
  start: Date;
  end: Date;
  /** The other clauses, in upstream's normalised form; absent when none. */
  resourceCondition?: string;
}

/**
 * Splits an expression on top-level `&&` as upstream's `IamCondition` does:
 * parentheses nest, and single and double quotes are each counted on their
 * own (so an apostrophe inside a double-quoted string stops the split that
 * follows, upstream's quirk). Clauses are returned untrimmed; an empty
 * expression yields no clauses.
 */
export function splitAnd(expression: string): string[] {
  const clauses: string[] = [];
  let current = '';
  let depth = 0;
  let single = 0;
  let double = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (
      c === '&' &&
      depth === 0 &&
      single % 2 === 0 &&
      double % 2 === 0 &&
      expression[i + 1] === '&'
    ) {
      clauses.push(current);
      current = '';
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === "'") single++;
    else if (c === '"') double++;
    current += c;
  }
  if (current.length > 0) clauses.push(current);
  return clauses;
}

/** Drops the lines that are comments (`//` first, leading white space allowed). */
function dropCommentLines(expression: string): string {
  return expression
    .split('\n')
    .filter(line => !line.trimStart().startsWith('//'))
    .join('\n');
}

/** A clause as upstream compares it with a marker: U+0020 removed, any case. */
function markerKey(clause: string): string {
  return clause.replace(/ /g, '').toLowerCase();
}

/**
 * Re-prints a resource condition the way upstream does (`a>b` reads as
 * `a > b`, `'x'` as `"x"`). An expression that is not valid CEL is kept as
 * written, trimmed, so that it still compares equal to itself.
 */
export function normaliseResourceCondition(expression: string): string {
  return normaliseCel(expression) ?? expression.trim();
}

function joinResourceClauses(clauses: string[]): string | undefined {
  const kept = clauses.filter(c => c.trim() !== '');
  if (kept.length === 0) return undefined;
  // Each clause keeps its own precedence when joined again.
  const joined =
    kept.length === 1 ? kept[0]! : kept.map(c => `(${c})`).join(' && ');
  return normaliseResourceCondition(joined);
}

/**
 * Reads an eligible binding's condition: `has({}.jitAccessConstraint)` (JIT)
 * or `has({}.multiPartyApprovalConstraint)` (MPA) as a top-level clause; JIT
 * wins when both are present; the title is ignored. Undefined when the
 * condition makes nothing eligible.
 */
export function parseEligibility(
  condition: IamCondition | undefined | null,
): Eligibility | undefined {
  const expression = condition?.expression;
  if (!expression || expression.trim() === '') return undefined;
  let jit = false;
  let mpa = false;
  const others: string[] = [];
  for (const clause of splitAnd(dropCommentLines(expression))) {
    const key = markerKey(clause);
    if (key === JIT_MARKER) jit = true;
    else if (key === MPA_MARKER) mpa = true;
    else others.push(clause);
  }
  if (!jit && !mpa) return undefined;
  const resourceCondition = joinResourceClauses(others);
  return {
    activationType: jit ? 'JIT' : 'MPA',
    ...(resourceCondition === undefined ? {} : {resourceCondition}),
  };
}

const TIME_WINDOW =
  /^\s*\(+\s*request\.time\s*>=\s*timestamp\(\s*"([^"]*)"\s*\)\s*&&\s*request\.time\s*<\s*timestamp\(\s*"([^"]*)"\s*\)\s*\)+\s*$/;

// RFC 3339 with an explicit offset, as CEL's timestamp() requires.
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

function parseTimestamp(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Reads one clause that is exactly a time window,
 * `(request.time >= timestamp("…") && request.time < timestamp("…"))`
 * (extra parentheses and surrounding white space allowed, at least one pair
 * required), else undefined.
 */
export function parseTimeWindowClause(
  clause: string | undefined | null,
): {start: Date; end: Date} | undefined {
  if (!clause) return undefined;
  const m = TIME_WINDOW.exec(clause);
  if (!m) return undefined;
  const start = parseTimestamp(m[1]!);
  const end = parseTimestamp(m[2]!);
  return start && end ? {start, end} : undefined;
}

/** Whether one clause is exactly a time window (see parseTimeWindowClause). */
export function isTimeWindowClause(clause: string | undefined | null): boolean {
  return parseTimeWindowClause(clause) !== undefined;
}

/**
 * Whether a condition is temporary: one of its top-level clauses is a time
 * window, whatever the title. This is what purging looks at.
 */
export function isTemporaryCondition(
  condition: IamCondition | undefined | null,
): boolean {
  const expression = condition?.expression;
  if (!expression) return false;
  return splitAnd(dropCommentLines(expression)).some(isTimeWindowClause);
}

/**
 * Reads an activation binding's condition: title exactly
 * `JIT access activation` and a time-window clause; the other clauses form
 * the resource condition. Undefined for anything else.
 */
export function parseActivation(
  condition: IamCondition | undefined | null,
): ActivationCondition | undefined {
  if (!condition || condition.title !== ACTIVATION_TITLE) return undefined;
  const expression = condition.expression;
  if (!expression) return undefined;
  let window: {start: Date; end: Date} | undefined;
  const others: string[] = [];
  for (const clause of splitAnd(dropCommentLines(expression))) {
    const parsed = window ? undefined : parseTimeWindowClause(clause);
    if (parsed) window = parsed;
    else others.push(clause);
  }
  if (!window) return undefined;
  const resourceCondition = joinResourceClauses(others);
  return {
    ...window,
    ...(resourceCondition === undefined ? {} : {resourceCondition}),
  };
}

/** RFC 3339 UTC with whole seconds and never `.000`: `2040-01-01T00:00:00Z`. */
export function formatTimestamp(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The expression of an activation binding:
 * `(request.time >= timestamp("S") && request.time < timestamp("E"))`, or
 * with a resource condition R (inserted verbatim):
 * `((request.time >= … && request.time < …)) && (R)`.
 */
export function formatActivationExpression(window: {
  start: Date;
  end: Date;
  resourceCondition?: string;
}): string {
  const clause =
    `(request.time >= timestamp("${formatTimestamp(window.start)}")` +
    ` && request.time < timestamp("${formatTimestamp(window.end)}"))`;
  return window.resourceCondition === undefined
    ? clause
    : `(${clause}) && (${window.resourceCondition})`;
}

/** Title and expression of an activation binding (the caller adds the description). */
export function formatActivationCondition(window: {
  start: Date;
  end: Date;
  resourceCondition?: string;
}): IamCondition {
  return {
    title: ACTIVATION_TITLE,
    expression: formatActivationExpression(window),
  };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every(m => right.has(m));
}

/**
 * Whether adding the temporary binding `added` removes `existing`, as
 * upstream's PURGE_EXISTING_TEMPORARY_BINDINGS does: same role, identical
 * member set, and `existing` is temporary (expired or not, whatever its title
 * or resource condition). Unconditional and permanent bindings are kept.
 */
export function isPurgedBy(existing: IamBinding, added: IamBinding): boolean {
  return (
    existing.role === added.role &&
    sameMembers(existing.members, added.members) &&
    isTemporaryCondition(existing.condition)
  );
}

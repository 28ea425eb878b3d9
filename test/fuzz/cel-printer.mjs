// Property: upstream's printed form of a CEL expression (normaliseCel) parses
// under a maintained CEL implementation and evaluates as the input does.
// Run by cel-printer.test.ts in its own process (cel-js is an ES module);
// argv: the built conditions-cel.js, the seed, the number of runs.
import fc from 'fast-check';
import {evaluate, parse} from '@marcbachmann/cel-js';
import {createRequire} from 'node:module';

const [modulePath, seed, runs] = process.argv.slice(2);
const {normaliseCel} = createRequire(import.meta.url)(modulePath);

// Compound operands are parenthesised as generated, so that each input means
// what its tree says; `wrap` adds more parentheses and layout at random, and
// the printer must take out what is redundant without changing the meaning.
// Layout: spaces, tabs and line breaks where CEL allows them.
const space = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \n ');
const wrap = (arb) =>
  fc
    .tuple(arb, space, space, fc.boolean())
    .map(([e, l, r, paren]) => (paren ? `(${l}${e}${r})` : e));

const quoted = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.constantFrom('a', 'Z', '0', ' ', '/', '_', 'é', '€', '😀'),
        fc.constantFrom('\\n', '\\t', '\\\\', "\\'", '\\"', '\\u00e9', '\\x41'),
      ),
      {maxLength: 6},
    ),
    fc.constantFrom("'", '"'),
  )
  .map(([parts, q]) => q + parts.map(p => (p === q ? '\\' + p : p)).join('') + q);

const {int, str, bool} = fc.letrec(tie => ({
  int: wrap(fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.integer({min: 0, max: 1000}).map(String),
    fc.constantFrom('a', 'b', 'c'),
    fc.tuple(tie('int'), fc.constantFrom('+', '-', '*'), tie('int'), space).map(
      ([x, op, y, s]) => `(${x})${s}${op}${s}(${y})`,
    ),
    tie('int').map(x => `-(${x})`),
    fc.tuple(tie('bool'), tie('int'), tie('int')).map(
      ([t, x, y]) => `(${t}) ? (${x}) : (${y})`,
    ),
    tie('str').map(s => `size(${s})`),
  )),
  str: wrap(fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    quoted,
    fc.constantFrom('s', 't'),
    fc.tuple(tie('str'), tie('str')).map(([x, y]) => `(${x}) + (${y})`),
  )),
  bool: wrap(fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.constantFrom('true', 'false', 'p', 'q'),
    fc.tuple(tie('int'), fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('int'), space).map(
      ([x, op, y, s]) => `(${x})${s}${op}${s}(${y})`,
    ),
    fc.tuple(tie('str'), fc.constantFrom('==', '!='), tie('str')).map(
      ([x, op, y]) => `(${x}) ${op} (${y})`,
    ),
    fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool'), space).map(
      ([x, op, y, s]) => `(${x})${s}${op}${s}(${y})`,
    ),
    tie('bool').map(x => `!(${x})`),
    fc.tuple(tie('str'), fc.constantFrom('startsWith', 'endsWith', 'contains'), tie('str')).map(
      ([x, f, y]) => `(${x}).${f}(${y})`,
    ),
    fc.tuple(tie('int'), fc.array(tie('int'), {maxLength: 3})).map(
      ([x, list]) => `(${x}) in [${list.join(', ')}]`,
    ),
  )),
}));

const contexts = [
  {a: 0n, b: 1n, c: 7n, s: '', t: 'projects/x', p: true, q: false},
  {a: -3n, b: 250n, c: 2n, s: 'é', t: 'a/b', p: false, q: true},
];

function outcome(expression, context) {
  try {
    return {value: evaluate(expression, context)};
  } catch (e) {
    return {error: e.constructor.name};
  }
}

const failures = [];
try {
  fc.assert(
    fc.property(bool, input => {
      const printed = normaliseCel(input);
      if (printed === undefined) throw new Error('not read: ' + input);
      parse(printed);
      // Not idempotent, as upstream's is not: cel-java folds `!!x` only when
      // written so, and prints `!(!x)` as `!!x`.
      for (const context of contexts) {
        const before = outcome(input, context);
        const after = outcome(printed, context);
        if (JSON.stringify(before, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) !==
            JSON.stringify(after, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))) {
          throw new Error(`evaluates differently: ${JSON.stringify(before)} vs ${JSON.stringify(after)}`);
        }
      }
    }),
    {seed: Number(seed), numRuns: Number(runs)},
  );
} catch (e) {
  failures.push(String(e.message).split('\n').slice(0, 12).join('\n'));
}
process.stdout.write(JSON.stringify({failures}));

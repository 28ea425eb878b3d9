import {loadConditionVectors} from '../../test/support/vectors';
import {formatDouble, normaliseCel} from './conditions-cel';
import {normaliseResourceCondition, parseEligibility} from './conditions';

const PRINTED: Array<[string, string]> = [
  ['a>b', 'a > b'],
  ["resource.name=='x'", 'resource.name == "x"'],
  ['  a\t<\n b ', 'a < b'],
  ['(a<b) && (b<c)', 'a < b && b < c'],
  ['a && (b && c)', 'a && b && c'],
  ['(a || b) && c', '(a || b) && c'],
  ['a || (b && c)', 'a || b && c'],
  ['a - (b - c)', 'a - (b - c)'],
  ['(a - b) - c', 'a - b - c'],
  ['a * (b + c)', 'a * (b + c)'],
  ['!(a && b)', '!(a && b)'],
  ['!!a', 'a'],
  ['!a.b', '!a.b'],
  ['-1 + - 2', '-1 + -2'],
  ['(a + b).size()', '(a + b).size()'],
  [
    "resource.name.startsWith('projects/_/buckets/x')",
    'resource.name.startsWith("projects/_/buckets/x")',
  ],
  ["'it\\'s'", '"it\'s"'],
  ['"say \\"hi\\""', '"say \\"hi\\""'],
  ["r'a\\b'", '"a\\\\b"'],
  ['"""x"y"""', '"x\\"y"'],
  ['x in [1,2,  3]', 'x in [1, 2, 3]'],
  ["{'a':1}['a']", '{"a": 1}["a"]'],
  ['a ? b : c ? d : e', 'a ? b : (c ? d : e)'],
  ['has(a.b)', 'has(a.b)'],
  ['has({}.jitAccessConstraint)', 'has({}.jitAccessConstraint)'],
  ['l.exists(x, x>1)', 'l.exists(x, x > 1)'],
  ['0x10 == 16u', '16 == 16u'],
  ['1.50 != 2.', 'undefined'],
  [
    "resource.matchTag('123/env', 'prod')",
    'resource.matchTag("123/env", "prod")',
  ],
  ['a == b // note\n&& c', 'a == b && c'],
];

describe('normaliseCel', () => {
  it.each(PRINTED)('prints %j as %j', (input, expected) => {
    expect(String(normaliseCel(input))).toBe(expected);
  });

  it.each([['a ==== b'], ['a &&'], ['(a'], ['"open'], ['a b'], ['']])(
    'refuses %j',
    input => {
      expect(normaliseCel(input)).toBeUndefined();
    },
  );

  it.each([
    ['a > b && b < c'],
    ['(a || b) && c'],
    ['resource.name == "x\\ny"'],
    ['a - (b - c) * 2.5'],
  ])('is idempotent on %j', input => {
    expect(normaliseCel(normaliseCel(input)!)).toBe(normaliseCel(input));
  });
});

describe('double literals stay doubles', () => {
  it.each([
    ['x > 12345678.0', 'x > 1.2345678E7'],
    ['x > 10000000.0', 'x > 1.0E7'],
    ['x > 9999999.0', 'x > 9999999.0'],
    ['x > 1e7', 'x > 1.0E7'],
    ['x > 1e21', 'x > 1.0E21'],
    ['x > 1.5e300', 'x > 1.5E300'],
    ['x > 0.001', 'x > 0.001'],
    ['x > 0.0001', 'x > 1.0E-4'],
    ['x > .000123', 'x > 1.23E-4'],
    ['x > 1e-7', 'x > 1.0E-7'],
    ['x > 100.0', 'x > 100.0'],
    ['x > 1e2', 'x > 100.0'],
    ['x > 1.50', 'x > 1.5'],
    ['x > 0.0', 'x > 0.0'],
    ['x > -0.0', 'x > -0.0'],
    ['x > -12345678.0', 'x > -1.2345678E7'],
    ['x > - 2.5e10', 'x > -2.5E10'],
    ['x > 0.1 + 0.2', 'x > 0.1 + 0.2'],
    ['x > 123456.789', 'x > 123456.789'],
  ])('prints %j as %j', (input, expected) => {
    expect(normaliseCel(input)).toBe(expected);
  });

  it('keeps a double that overflows as written', () => {
    expect(normaliseCel('x > 1e999')).toBeUndefined();
    expect(normaliseResourceCondition('x > 1e999')).toBe('x > 1e999');
  });

  it.each([
    0,
    1,
    1.5,
    0.001,
    9.999e-4,
    1e7,
    12345678,
    9999999.5,
    1e-300,
    1.7976931348623157e308,
    5e-324,
    0.1,
    123456.789,
    2 ** 53,
    2 ** 60,
  ])('prints %p so that it reads back as the same double', value => {
    const printed = formatDouble(value);
    expect(printed).toMatch(/^-?[0-9]+\.[0-9]+(?:E-?[0-9]+)?$/);
    expect(Number(printed)).toBe(value);
  });
});

describe('bytes literals keep their exact bytes', () => {
  it.each([
    ['b"\\xff"', 'b"\\377"'],
    ['b"\\xFF\\x00\\x7f"', 'b"\\377\\000\\177"'],
    ["b'\\377'", 'b"\\377"'],
    ['b"abc"', 'b"abc"'],
    ['B"a\\"b\\\\c"', 'b"a\\"b\\\\c"'],
    ['b"\\n\\t"', 'b"\\012\\011"'],
    ['b"\\x41"', 'b"A"'],
    // A character that is not escaped stands for its UTF-8 bytes.
    ['b"ÿ"', 'b"\\303\\277"'],
    ['b"€"', 'b"\\342\\202\\254"'],
    ['rb"\\xff"', 'b"\\\\xff"'],
    ['br"ÿ"', 'b"\\303\\277"'],
    ['x == b"\\xff\\xfe"', 'x == b"\\377\\376"'],
  ])('prints %j as %j', (input, expected) => {
    expect(normaliseCel(input)).toBe(expected);
  });

  it('tells b"\\xff" (one byte) from b"ÿ" (two bytes)', () => {
    expect(normaliseCel('b"\\xff"')).not.toBe(normaliseCel('b"ÿ"'));
  });

  it.each([['b"\\u00ff"'], ['b"\\U000000ff"']])(
    'refuses a unicode escape in bytes: %j',
    input => {
      expect(normaliseCel(input)).toBeUndefined();
    },
  );

  it.each([['"\\U00110000"'], ['"\\ud800"']])(
    'refuses a code point that is not a character: %j',
    input => {
      expect(normaliseCel(input)).toBeUndefined();
    },
  );

  it('still prints string escapes as characters', () => {
    expect(normaliseCel('"\\xff"')).toBe('"ÿ"');
    expect(normaliseCel("'\\377'")).toBe('"ÿ"');
  });
});

describe('normalising is idempotent', () => {
  interface Vectors {
    eligibility: Array<{
      condition: {expression: string} | null;
      resourceCondition: string | null;
    }>;
    activationRecognition: Array<{condition: {expression: string} | null}>;
  }
  const vectors = loadConditionVectors<Vectors>();
  const inputs = new Set<string>([
    ...PRINTED.map(([input]) => input),
    ...PRINTED.map(([, printed]) => printed),
    'x > 12345678.0',
    'b"\\xff"',
    'x > 1e-7 && y == b"\\x00ab"',
    ...vectors.eligibility.flatMap(v => [
      ...(v.condition ? [v.condition.expression] : []),
      ...(v.resourceCondition !== null ? [v.resourceCondition] : []),
    ]),
    ...vectors.activationRecognition.flatMap(v =>
      v.condition ? [v.condition.expression] : [],
    ),
  ]);

  it.each([...inputs])('normalise(normalise(x)) === normalise(x) for %j', x => {
    const once = normaliseResourceCondition(x);
    expect(normaliseResourceCondition(once)).toBe(once);
  });

  it('holds for every resource condition the vectors yield', () => {
    for (const v of vectors.eligibility) {
      const rc = parseEligibility(v.condition)?.resourceCondition;
      if (rc !== undefined) expect(normaliseResourceCondition(rc)).toBe(rc);
    }
  });
});

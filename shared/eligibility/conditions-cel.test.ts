import {normaliseCel} from './conditions-cel';

describe('normaliseCel', () => {
  it.each([
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
  ])('prints %j as %j', (input, expected) => {
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

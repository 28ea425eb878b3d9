import {makeJustificationCheck} from './justification';

describe('justification check in the UI, worded as the server words it', () => {
  const bugNumber = makeJustificationCheck('(b|B)/[0-9]+', 'b/123');
  it.each([
    ['b/123', undefined],
    ['B/9', undefined],
    ['b/123 and more', /required format \(b\/123\)/],
    ['x b/123', /required format/],
    ['   ', /A justification is required \(b\/123\)/],
    ['', /A justification is required/],
  ])('checks %j against the pattern, whole', (text, expected) => {
    const problem = bugNumber(text);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('refuses more than 100 characters', () => {
    const any = makeJustificationCheck('.*', 'hint');
    expect(any('x'.repeat(100))).toBeUndefined();
    expect(any('x'.repeat(101))).toMatch(/at most 100 characters/);
  });

  it('compiles with the u flag, as the server does', () => {
    // \p{L} is only a letter class with the u flag.
    const letters = makeJustificationCheck('\\p{L}+', 'letters');
    expect(letters('Ünïcode')).toBeUndefined();
    expect(letters('abc1')).toMatch(/required format/);
  });

  it.each([
    ['NUL', 'case\u000042', /control characters .*\(found U\+0000\)/],
    ['a tab', 'case\t42', /control characters .*\(found U\+0009\)/],
    [
      'a right-to-left override',
      'case \u202E24',
      /bidirectional formatting characters, .*\(found U\+202E\)/,
    ],
  ])(
    'refuses %s, as the server does, whatever the pattern',
    (_, text, message) => {
      const any = makeJustificationCheck('[\\s\\S]*', 'hint');
      expect(any(text)).toMatch(/^The justification must not contain /);
      expect(any(text)).toMatch(message);
    },
  );

  it('leaves an uncompilable pattern to the server', () => {
    expect(makeJustificationCheck('(', 'h')('anything')).toBeUndefined();
  });
});

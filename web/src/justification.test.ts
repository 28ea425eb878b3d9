import {makeJustificationCheck} from './justification';

describe('justification check in the UI', () => {
  const bugNumber = makeJustificationCheck('(b|B)/[0-9]+', 'b/123');
  it.each([
    ['b/123', undefined],
    ['B/9', undefined],
    ['b/123 and more', /expected form \(b\/123\)/],
    ['x b/123', /expected form/],
    ['   ', /Enter a justification/],
    ['', /Enter a justification/],
  ])('checks %j against the pattern, whole', (text, expected) => {
    const problem = bugNumber(text);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('refuses more than 100 characters', () => {
    const any = makeJustificationCheck('.*', 'hint');
    expect(any('x'.repeat(100))).toBeUndefined();
    expect(any('x'.repeat(101))).toMatch(/longer than 100/);
  });

  it('compiles with the u flag, as the server does', () => {
    // \p{L} is only a letter class with the u flag.
    const letters = makeJustificationCheck('\\p{L}+', 'letters');
    expect(letters('Ünïcode')).toBeUndefined();
    expect(letters('abc1')).toMatch(/expected form/);
  });

  it('leaves an uncompilable pattern to the server', () => {
    expect(makeJustificationCheck('(', 'h')('anything')).toBeUndefined();
  });
});

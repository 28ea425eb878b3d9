import {
  compileJustificationPattern,
  freeTextProblem,
  justificationProblem,
  reasonProblem,
  replaceUnsafeCharacters,
} from './limits';

describe('free text (reasons, comments, justifications)', () => {
  it.each([
    ['a line feed', 'no\nJIT Access sent this mail', 'U+000A'],
    ['a carriage return', 'no\r', 'U+000D'],
    ['a tab', 'a\tb', 'U+0009'],
    ['NUL', 'case\u000042', 'U+0000'],
    ['DEL', 'x\u007F', 'U+007F'],
    ['a C1 control (NEL)', 'x\u0085y', 'U+0085'],
    ['a line separator', 'x\u2028y', 'U+2028'],
    ['a paragraph separator', 'x\u2029y', 'U+2029'],
  ])('refuses %s as a control character', (_, text, code) => {
    expect(freeTextProblem('The reason', text)).toBe(
      `The reason must not contain control characters such as line breaks or tabs (found ${code})`,
    );
  });

  it.each([
    ['a right-to-left override', 'txt.\u202Eexe', 'U+202E'],
    ['a left-to-right embedding', '\u202Ax', 'U+202A'],
    ['a pop directional formatting', 'x\u202C', 'U+202C'],
    ['a right-to-left isolate', '\u2067x', 'U+2067'],
    ['a pop directional isolate', 'x\u2069', 'U+2069'],
  ])('refuses %s as a bidirectional control', (_, text, code) => {
    expect(freeTextProblem('The comment', text)).toBe(
      `The comment must not contain bidirectional formatting characters, which can make text read differently from what it says (found ${code})`,
    );
  });

  it.each([
    ['plain text', 'Use staging first'],
    ['accents and emoji', 'Ünïcode 🚀 ok'],
    ['right-to-left text with its marks', 'שלום \u200F123\u200E and \u061C'],
    ['the empty string', ''],
  ])('accepts %s', (_, text) => {
    expect(freeTextProblem('The reason', text)).toBeUndefined();
  });

  it('replaces control and bidirectional characters to show stored text safely', () => {
    expect(replaceUnsafeCharacters('a\u0000b\u202Ec\u2066d\u200Fe')).toBe(
      'a\uFFFDb\uFFFDc\uFFFDd\u200Fe',
    );
  });
});

describe('reasonProblem', () => {
  it('takes one line of at most 500 characters, and names the field', () => {
    expect(reasonProblem('reason', 'x'.repeat(500))).toBeUndefined();
    expect(reasonProblem('reason', 'x'.repeat(501))).toBe(
      'The reason must be at most 500 characters',
    );
    expect(reasonProblem('comment', 'ok\nBcc: x')).toMatch(
      /^The comment must not contain control characters/,
    );
    expect(reasonProblem('reason', 'no \u202Eyes')).toMatch(
      /^The reason must not contain bidirectional formatting characters/,
    );
  });
});

describe('justificationProblem', () => {
  const compiled = compileJustificationPattern('[\\s\\S]*');
  if ('error' in compiled) throw new Error(compiled.error);
  const anything = {regex: compiled.regex, hint: 'Bug or case number'};

  it.each([
    ['NUL', 'case\u000042', /control characters .*\(found U\+0000\)/],
    ['a line break', 'case 42\nApproved by x', /control characters/],
    [
      'a right-to-left override',
      'case \u202E24',
      /bidirectional formatting characters, .*\(found U\+202E\)/,
    ],
    ['an isolate', 'case \u206642', /bidirectional/],
  ])('refuses %s even where the pattern would match it', (_, text, message) => {
    expect(justificationProblem(text, anything)).toMatch(
      /^The justification must not contain /,
    );
    expect(justificationProblem(text, anything)).toMatch(message);
  });

  it('checks the length before the characters', () => {
    expect(justificationProblem('\u0000'.repeat(101), anything)).toMatch(
      /at most 100 characters/,
    );
  });

  it('accepts right-to-left text with its marks', () => {
    expect(justificationProblem('תיק \u200F42', anything)).toBeUndefined();
  });
});

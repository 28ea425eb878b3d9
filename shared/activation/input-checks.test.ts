import {loadConditionVectors} from '../../test/support/vectors';
import {loadConfig} from '../config';
import {compileJustificationPattern} from '../limits';
import {InvalidArgumentError} from '../errors';
import {
  checkDurationMinutes,
  checkJustification,
  checkProjectId,
} from './input-checks';

const vectors = loadConditionVectors<{
  justification: Array<{
    pattern: string;
    input: string | null;
    valid: boolean;
    source: string;
  }>;
}>();

function withPattern(pattern: string) {
  const compiled = compileJustificationPattern(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return {justification: {pattern, regex: compiled.regex, hint: 'Bug number'}};
}

const config = loadConfig({
  GOOGLE_CLOUD_PROJECT: 'jit-host',
  ACTIVATION_TIMEOUT: '90',
});

describe('checkJustification', () => {
  it.each(vectors.justification.map((v, i) => [`#${i} ${v.source}`, v]))(
    'conditions.json %s',
    (_name, v) => {
      const check = () => checkJustification(v.input, withPattern(v.pattern));
      if (v.valid) expect(check()).toBe(v.input);
      else expect(check).toThrow(InvalidArgumentError);
    },
  );

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['null', null],
    ['a number', 42],
    ['empty', ''],
    ['blank', ' \t\n'],
    ['101 characters', 'x'.repeat(101)],
    ['51 emoji (102 UTF-16 units)', '🔥'.repeat(51)],
  ])('refuses a justification that is %s', (_name, value) => {
    expect(() => checkJustification(value, config)).toThrow(
      InvalidArgumentError,
    );
  });

  it.each([['x'.repeat(100)], ['🔥 incident 42 🔥'], ['b/1']])(
    'accepts %j under the default pattern',
    value => {
      expect(checkJustification(value, config)).toBe(value);
    },
  );

  it('matches the whole input, not a part of it', () => {
    const c = withPattern('b/\\d+');
    expect(() => checkJustification('see b/1', c)).toThrow(/format/);
    expect(() => checkJustification('b/1 later', c)).toThrow(/format/);
    expect(checkJustification('b/12', c)).toBe('b/12');
  });
});

describe('checkDurationMinutes', () => {
  it.each<[unknown]>([
    [0],
    [-5],
    [91],
    [1.5],
    ['60'],
    [null],
    [undefined],
    [NaN],
  ])('refuses %p', value => {
    expect(() => checkDurationMinutes(value, config)).toThrow(
      'durationMinutes must be a whole number of minutes from 1 to 90',
    );
  });

  it.each([[1], [60], [90]])('accepts %p', value => {
    expect(checkDurationMinutes(value, config)).toBe(value);
  });
});

describe('checkProjectId', () => {
  it.each<[unknown]>([
    ['P1'],
    ['abc'],
    ['-project'],
    ['project-'],
    ['my_project'],
    ['a'.repeat(31)],
    [''],
    [7],
  ])('refuses %p', value => {
    expect(() => checkProjectId(value)).toThrow(InvalidArgumentError);
  });

  it.each([['my-project'], ['p12345'], ['example.com:my-project']])(
    'accepts %p',
    value => {
      expect(checkProjectId(value)).toBe(value);
    },
  );
});

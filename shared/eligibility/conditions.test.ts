import {loadConditionVectors} from '../../test/support/vectors';
import type {IamBinding, IamCondition} from '../ports';
import {
  formatActivationCondition,
  formatActivationExpression,
  formatTimestamp,
  isPurgedBy,
  isTemporaryCondition,
  isTimeWindowClause,
  parseActivation,
  parseEligibility,
  parseTimeWindowClause,
  splitAnd,
} from './conditions';

interface VectorCondition {
  title: string | null;
  expression: string;
}

interface Vectors {
  eligibility: Array<{
    condition: VectorCondition | null;
    expect: 'JIT' | 'MPA' | 'NONE';
    resourceCondition: string | null;
    source: string;
  }>;
  splitAnd: Array<{expression: string; clauses: string[]; source: string}>;
  activationRecognition: Array<{
    condition: VectorCondition | null;
    isActivation: boolean;
    start?: string;
    end?: string;
    resourceCondition?: string | null;
    source: string;
  }>;
  activationFormat: Array<{
    start: string;
    end: string;
    resourceCondition: string | null;
    expression: string;
    title: string;
    source: string;
  }>;
  justification: unknown[];
  temporaryClause: Array<{
    clause: string | null;
    isTemporary: boolean;
    start?: string;
    end?: string;
    source: string;
  }>;
  purge: Array<{
    existing: VectorBinding;
    new: VectorBinding;
    purged: boolean;
    source: string;
  }>;
}

interface VectorBinding {
  role: string;
  members: string[];
  condition: VectorCondition | null;
}

// Upstream's own facts (test/fixtures/README.md).
const vectors = loadConditionVectors<Vectors>();

function condition(c: VectorCondition | null): IamCondition | undefined {
  if (c === null) return undefined;
  return {
    ...(c.title === null ? {} : {title: c.title}),
    expression: c.expression,
  };
}

function binding(b: VectorBinding): IamBinding {
  const c = condition(b.condition);
  return {role: b.role, members: b.members, ...(c ? {condition: c} : {})};
}

const label = (i: number, source: string) => `#${i} ${source}`;

describe('conditions.json vectors', () => {
  it('has vectors in every list this module answers for', () => {
    for (const list of [
      vectors.eligibility,
      vectors.splitAnd,
      vectors.activationRecognition,
      vectors.activationFormat,
      vectors.temporaryClause,
      vectors.purge,
    ]) {
      expect(list.length).toBeGreaterThan(0);
    }
  });

  describe('eligibility', () => {
    it.each(vectors.eligibility.map((v, i) => [label(i, v.source), v]))(
      '%s',
      (_name, v) => {
        const result = parseEligibility(condition(v.condition));
        if (v.expect === 'NONE') {
          expect(result).toBeUndefined();
        } else {
          expect(result?.activationType).toBe(v.expect);
          expect(result?.resourceCondition ?? null).toBe(v.resourceCondition);
        }
      },
    );
  });

  describe('splitAnd', () => {
    it.each(vectors.splitAnd.map((v, i) => [label(i, v.source), v]))(
      '%s',
      (_name, v) => {
        expect(splitAnd(v.expression)).toEqual(v.clauses);
      },
    );
  });

  describe('activationRecognition', () => {
    it.each(
      vectors.activationRecognition.map((v, i) => [label(i, v.source), v]),
    )('%s', (_name, v) => {
      const result = parseActivation(condition(v.condition));
      if (!v.isActivation) {
        expect(result).toBeUndefined();
        return;
      }
      expect(result).toBeDefined();
      expect(formatTimestamp(result!.start)).toBe(v.start);
      expect(formatTimestamp(result!.end)).toBe(v.end);
      expect(result!.resourceCondition ?? null).toBe(
        v.resourceCondition ?? null,
      );
    });
  });

  describe('activationFormat', () => {
    it.each(vectors.activationFormat.map((v, i) => [label(i, v.source), v]))(
      '%s',
      (_name, v) => {
        const window = {
          start: new Date(v.start),
          end: new Date(v.end),
          ...(v.resourceCondition === null
            ? {}
            : {resourceCondition: v.resourceCondition}),
        };
        expect(formatActivationExpression(window)).toBe(v.expression);
        expect(formatActivationCondition(window)).toEqual({
          title: v.title,
          expression: v.expression,
        });
      },
    );
  });

  describe('temporaryClause', () => {
    it.each(vectors.temporaryClause.map((v, i) => [label(i, v.source), v]))(
      '%s',
      (_name, v) => {
        expect(isTimeWindowClause(v.clause)).toBe(v.isTemporary);
        const window = parseTimeWindowClause(v.clause);
        if (v.isTemporary) {
          expect(formatTimestamp(window!.start)).toBe(v.start);
          expect(formatTimestamp(window!.end)).toBe(v.end);
        } else {
          expect(window).toBeUndefined();
        }
      },
    );
  });

  describe('purge', () => {
    it.each(vectors.purge.map((v, i) => [label(i, v.source), v]))(
      '%s',
      (_name, v) => {
        expect(isPurgedBy(binding(v.existing), binding(v.new))).toBe(v.purged);
      },
    );
  });
});

describe('near-misses upstream refuses', () => {
  it.each([
    ['a marker inside an OR', 'has({}.jitAccessConstraint) || true'],
    ['a negated marker', '!has({}.jitAccessConstraint)'],
    ['a marker in extra parentheses', '(has({}.jitAccessConstraint))'],
    ['a misspelt marker', 'has({}.jitAccessConstraints)'],
    ['a marker on another object', 'has(x.jitAccessConstraint)'],
    ['a marker with a trailing comment', 'has({}.jitAccessConstraint) // x'],
    ['a marker commented out', '// has({}.jitAccessConstraint)\ntrue'],
    ['a marker after a tab', '\thas({}.jitAccessConstraint)'],
    ['a single ampersand', 'has({}.jitAccessConstraint) & a'],
    [
      'a marker after an apostrophe in double quotes',
      'resource.name == "it\'s" && has({}.multiPartyApprovalConstraint)',
    ],
    ['a marker inside a string', 'a == "has({}.jitAccessConstraint)"'],
  ])('is not eligible: %s', (_name, expression) => {
    expect(parseEligibility({expression})).toBeUndefined();
  });

  it.each<[string, IamCondition]>([
    [
      'a title in other case',
      {
        title: 'JIT Access Activation',
        expression:
          '(request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2020-01-01T00:05:00Z"))',
      },
    ],
    [
      'a window with <= for the end',
      {
        title: 'JIT access activation',
        expression:
          '(request.time >= timestamp("2020-01-01T00:00:00Z") && request.time <= timestamp("2020-01-01T00:05:00Z"))',
      },
    ],
    [
      'a window with a bad timestamp',
      {
        title: 'JIT access activation',
        expression:
          '(request.time >= timestamp("2020-13-01") && request.time < timestamp("2020-01-01T00:05:00Z"))',
      },
    ],
    [
      'a window reversed',
      {
        title: 'JIT access activation',
        expression:
          '(request.time < timestamp("2020-01-01T00:05:00Z") && request.time >= timestamp("2020-01-01T00:00:00Z"))',
      },
    ],
    [
      'no title',
      {
        expression:
          '(request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2020-01-01T00:05:00Z"))',
      },
    ],
  ])('is not an activation: %s', (_name, c) => {
    expect(parseActivation(c)).toBeUndefined();
  });
});

describe('parseEligibility', () => {
  it('keeps the precedence of each clause in the resource condition', () => {
    expect(
      parseEligibility({
        expression: 'a || b && has({}.jitAccessConstraint) && c',
      }),
    ).toEqual({activationType: 'JIT', resourceCondition: '(a || b) && c'});
  });

  it('keeps a resource condition it cannot parse as written, trimmed', () => {
    expect(
      parseEligibility({
        expression: 'has({}.jitAccessConstraint) && resource.name ==== 1 ',
      }),
    ).toEqual({
      activationType: 'JIT',
      resourceCondition: 'resource.name ==== 1',
    });
  });

  it('ignores blank clauses', () => {
    expect(
      parseEligibility({expression: 'has({}.jitAccessConstraint) &&  '}),
    ).toEqual({activationType: 'JIT'});
  });
});

describe('parseActivation', () => {
  it('reads back what formatActivationCondition wrote, resource condition included', () => {
    const eligible = parseEligibility({
      expression:
        "has({}.jitAccessConstraint) && resource.name.startsWith('projects/_/buckets/a') || resource.type=='x'",
    })!;
    const written = formatActivationCondition({
      start: new Date('2040-01-01T00:00:00Z'),
      end: new Date('2040-01-01T01:00:00Z'),
      resourceCondition: eligible.resourceCondition,
    });
    expect(parseActivation(written)).toEqual({
      start: new Date('2040-01-01T00:00:00Z'),
      end: new Date('2040-01-01T01:00:00Z'),
      resourceCondition: eligible.resourceCondition,
    });
  });
});

describe('isTemporaryCondition', () => {
  it.each<[string, IamCondition | undefined, boolean]>([
    ['no condition', undefined, false],
    ['a permanent condition', {expression: 'resource.type == "x"'}, false],
    [
      'a window beside a resource condition, any title',
      {
        title: 'other',
        expression:
          '((request.time >= timestamp("2020-01-01T00:00:00Z") && request.time < timestamp("2020-01-01T00:05:00Z"))) && (a)',
      },
      true,
    ],
  ])('%s', (_name, c, expected) => {
    expect(isTemporaryCondition(c)).toBe(expected);
  });
});

describe('formatTimestamp', () => {
  it.each([
    ['2040-01-01T00:00:00.000Z', '2040-01-01T00:00:00Z'],
    ['2040-01-01T00:00:00.999Z', '2040-01-01T00:00:00Z'],
    ['2040-06-30T23:59:59.001Z', '2040-06-30T23:59:59Z'],
  ])('prints %s as %s', (input, expected) => {
    expect(formatTimestamp(new Date(input))).toBe(expected);
  });
});

/**
 * Every activation expression this product writes must be valid CEL: checked
 * with a real CEL implementation (@marcbachmann/cel-js), over the resource
 * conditions of conditions.json and a table of awkward ones, each as the
 * catalog normalises it and as a caller might send it.
 */
import {loadConditionVectors} from '../../test/support/vectors';
import {
  formatActivationExpression,
  parseActivation,
  parseEligibility,
} from '../eligibility/conditions';
import {celParseErrors} from '../../test/activation/cel-check';

const vectors = loadConditionVectors<{
  eligibility: Array<{condition: {expression: string} | null}>;
  activationFormat: Array<{resourceCondition: string | null}>;
}>();

const AWKWARD = [
  "resource.name == 'it\\'s'",
  'resource.name == "say \\"hi\\""',
  "resource.name.startsWith('projects/_/buckets/ü-ß-😀')",
  'resource.type in ["compute.googleapis.com/Disk", "compute.googleapis.com/Instance"]',
  '(a || b) && !c',
  'resource.matchTag("123/env", "prod") ? true : false',
  "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/x'])",
  'request.time.getHours("Europe/Berlin") >= 9 && request.time.getHours("Europe/Berlin") < 17',
  '-1 < x && x < 2.5',
];

describe('generated activation expressions', () => {
  it('parse with a real CEL implementation', async () => {
    const conditions = new Set<string>();
    for (const v of vectors.eligibility) {
      const rc = parseEligibility(v.condition ?? undefined)?.resourceCondition;
      if (rc) conditions.add(rc);
    }
    for (const v of vectors.activationFormat) {
      if (v.resourceCondition) conditions.add(v.resourceCondition);
    }
    for (const raw of AWKWARD) {
      conditions.add(raw);
      const normalised = parseEligibility({
        expression: `has({}.jitAccessConstraint) && ${raw}`,
      })?.resourceCondition;
      expect(normalised).toBeDefined();
      conditions.add(normalised!);
    }
    const window = {
      start: new Date('2040-01-01T00:00:00.123Z'),
      end: new Date('2040-01-01T02:00:00Z'),
    };
    const expressions = [
      formatActivationExpression(window),
      ...[...conditions].map(resourceCondition =>
        formatActivationExpression({...window, resourceCondition}),
      ),
    ];
    const errors = await celParseErrors(expressions);
    expect(
      expressions
        .map((e, i) => [e, errors[i]])
        .filter(([, error]) => error !== null),
    ).toEqual([]);
    // And each reads back as the activation it is, resource condition included.
    for (const rc of conditions) {
      const written = formatActivationExpression({
        ...window,
        resourceCondition: rc,
      });
      const read = parseActivation({
        title: 'JIT access activation',
        expression: written,
      });
      expect(read?.resourceCondition).toBe(
        parseEligibility({expression: `has({}.jitAccessConstraint) && (${rc})`})
          ?.resourceCondition,
      );
    }
  });
});

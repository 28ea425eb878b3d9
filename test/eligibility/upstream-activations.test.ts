/**
 * A switch from JIT Access 1.x: roles it activated before the switch show as
 * Active here, until the end it wrote. The bindings are written exactly as
 * upstream writes them (test/fixtures/conditions.json, `activationFormat`:
 * title, description and expression of TestProjectRoleActivator), only with
 * a window around now.
 */
import type {WorldBinding} from '../../sandbox/fake-gcp';
import {loadConditionVectors} from '../support/vectors';
import {JIT, MPA, startEligibilityWorld, type EligibilityWorld} from './world';

interface FormatVector {
  start: string;
  end: string;
  resourceCondition: string | null;
  expression: string;
  title: string;
  description?: string;
  source: string;
}

const formats = loadConditionVectors<{activationFormat: FormatVector[]}>()
  .activationFormat;
const ALICE = 'alice@example.com';
const CATALOGS = ['AssetInventory', 'PolicyAnalyzer'] as const;

function wholeSeconds(offsetMs: number): string {
  return new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000)
    .toISOString()
    .replace(/\.000Z$/, 'Z');
}
const AN_HOUR_AGO = wholeSeconds(-3600_000);
const IN_AN_HOUR = wholeSeconds(3600_000);

/** Upstream's binding for `vector`, with its window moved around now. */
function upstreamActivation(
  role: string,
  vector: FormatVector,
  end = IN_AN_HOUR,
): WorldBinding {
  return {
    role,
    members: [`user:${ALICE}`],
    condition: {
      title: vector.title,
      ...(vector.description && {description: vector.description}),
      expression: vector.expression
        .split(vector.start)
        .join(AN_HOUR_AGO)
        .split(vector.end)
        .join(end),
    },
  };
}

const selfApproved = formats.find(
  f => f.description?.startsWith('Self-approved') && f.resourceCondition,
)!;
const approved = formats.find(f => f.description?.startsWith('Approved by'))!;
const plain = formats.find(f => !f.description)!;

let w: EligibilityWorld;
beforeAll(async () => {
  w = await startEligibilityWorld();
});
afterAll(() => w.stop());

describe('roles JIT Access 1.x activated before the switch', () => {
  it('show as Active, until the end upstream wrote, in both catalogs', async () => {
    w.setPolicies({
      'projects/alpha-app': [
        {role: 'roles/a', members: [`user:${ALICE}`], condition: JIT},
        {role: 'roles/b', members: [`user:${ALICE}`], condition: MPA},
        {
          role: 'roles/c',
          members: [`user:${ALICE}`],
          condition: {
            expression: `${JIT.expression} && (${selfApproved.resourceCondition})`,
          },
        },
        {role: 'roles/d', members: [`user:${ALICE}`], condition: JIT},
        upstreamActivation('roles/a', plain),
        upstreamActivation('roles/b', approved),
        upstreamActivation('roles/c', selfApproved),
        // Ended a minute ago: available again.
        upstreamActivation('roles/d', plain, wholeSeconds(-60_000)),
      ],
    });
    for (const catalog of CATALOGS) {
      const {entitlements} = await w.catalogs[catalog].listEntitlements(
        ALICE,
        'alpha-app',
      );
      const byRole = Object.fromEntries(
        entitlements.map(e => [
          e.role,
          {status: e.status, until: e.validUntil},
        ]),
      );
      expect({catalog, byRole}).toEqual({
        catalog,
        byRole: {
          'roles/a': {status: 'ACTIVE', until: IN_AN_HOUR},
          'roles/b': {status: 'ACTIVE', until: IN_AN_HOUR},
          'roles/c': {status: 'ACTIVE', until: IN_AN_HOUR},
          'roles/d': {status: 'ELIGIBLE', until: undefined},
        },
      });
    }
  });
});

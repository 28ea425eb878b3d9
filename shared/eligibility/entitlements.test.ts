import type {IamBinding} from '../ports';
import {formatActivationCondition} from './conditions';
import {computeEntitlements, mpaBindingsFor} from './entitlements';
import {applicability, makeCaller} from './principals';
import {analysedApplicability} from './policy-analyzer-catalog';

const PROJECT = '//cloudresourcemanager.googleapis.com/projects/p-one';
const FOLDER = '//cloudresourcemanager.googleapis.com/folders/100';
const NOW = new Date('2030-06-01T12:00:00Z');
const JIT = {title: 'eligible', expression: 'has({}.jitAccessConstraint)'};
const MPA = {expression: 'has({}.multiPartyApprovalConstraint)'};

const alice = makeCaller('Alice@Example.com', ['Team@Example.com']);

function compute(
  bindings: Array<{binding: IamBinding; resource?: string}>,
  projectBindings: IamBinding[] = [],
) {
  return computeEntitlements({
    bindings: bindings.map(b => ({
      binding: b.binding,
      resource: b.resource ?? PROJECT,
    })),
    applies: b => applicability(b.members, alice),
    projectBindings,
    userEmail: alice.email,
    now: NOW,
  });
}

function activation(
  role: string,
  end: string,
  member = 'user:alice@example.com',
  resourceCondition?: string,
): IamBinding {
  return {
    role,
    members: [member],
    condition: formatActivationCondition({
      start: new Date(new Date(end).getTime() - 3600_000),
      end: new Date(end),
      resourceCondition,
    }),
  };
}

describe('computeEntitlements', () => {
  it.each([
    ['a user member, any case', 'user:ALICE@example.com', true],
    ['a group the caller is in', 'group:team@example.com', true],
    ["the caller's domain", 'domain:EXAMPLE.com', true],
    ['another user', 'user:bob@example.com', false],
    ['a group the caller is not in', 'group:other@example.com', false],
    ['another domain', 'domain:example.org', false],
    [
      'a service account of the same name',
      'serviceAccount:alice@example.com',
      false,
    ],
    [
      'a principal:// identity',
      'principal://iam.googleapis.com/x/alice@example.com',
      false,
    ],
    ['a deleted user', 'deleted:user:alice@example.com?uid=1', false],
  ])('%s: eligible=%s', (_name, member, expected) => {
    const set = compute([
      {binding: {role: 'roles/viewer', members: [member], condition: JIT}},
    ]);
    expect(set.entitlements.length > 0).toBe(expected);
    expect(set.warnings).toEqual([]);
  });

  it.each(['allUsers', 'allAuthenticatedUsers'])(
    'ignores an eligible binding on %s with a warning',
    member => {
      const set = compute([
        {binding: {role: 'roles/owner', members: [member], condition: JIT}},
      ]);
      expect(set.entitlements).toEqual([]);
      expect(set.warnings).toHaveLength(1);
      expect(set.warnings[0]).toContain('roles/owner');
      expect(set.warnings[0]).toContain(member);
    },
  );

  it('grants through a user member even when the binding also names allUsers', () => {
    const set = compute([
      {
        binding: {
          role: 'roles/owner',
          members: ['allUsers', 'user:alice@example.com'],
          condition: JIT,
        },
      },
    ]);
    expect(set.entitlements.map(e => e.role)).toEqual(['roles/owner']);
  });

  it('ignores unconditional and non-eligible conditional bindings', () => {
    const set = compute([
      {binding: {role: 'roles/a', members: ['user:alice@example.com']}},
      {
        binding: {
          role: 'roles/b',
          members: ['user:alice@example.com'],
          condition: {
            expression: 'request.time < timestamp("2040-01-01T00:00:00Z")',
          },
        },
      },
    ]);
    expect(set.entitlements).toEqual([]);
  });

  it('lets JIT win over MPA for the same role and resource condition', () => {
    const set = compute([
      {
        binding: {
          role: 'roles/x',
          members: ['group:team@example.com'],
          condition: MPA,
        },
      },
      {
        binding: {
          role: 'roles/x',
          members: ['user:alice@example.com'],
          condition: JIT,
        },
        resource: FOLDER,
      },
      {
        binding: {
          role: 'roles/y',
          members: ['user:alice@example.com'],
          condition: MPA,
        },
      },
    ]);
    expect(set.entitlements).toEqual([
      {role: 'roles/x', activationType: 'JIT', status: 'ELIGIBLE'},
      {role: 'roles/y', activationType: 'MPA', status: 'ELIGIBLE'},
    ]);
  });

  it('keeps one entitlement per resource condition, normalised and sorted', () => {
    const set = compute([
      {
        binding: {
          role: 'roles/x',
          members: ['user:alice@example.com'],
          condition: {
            expression: "resource.name=='b' && has({}.jitAccessConstraint)",
          },
        },
      },
      {
        binding: {
          role: 'roles/x',
          members: ['user:alice@example.com'],
          condition: MPA,
        },
      },
    ]);
    expect(set.entitlements).toEqual([
      {role: 'roles/x', activationType: 'MPA', status: 'ELIGIBLE'},
      {
        role: 'roles/x',
        resourceCondition: 'resource.name == "b"',
        activationType: 'JIT',
        status: 'ELIGIBLE',
      },
    ]);
  });

  it('marks an unexpired activation ACTIVE with its end, and ignores an expired one', () => {
    const set = compute(
      [
        {
          binding: {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        },
        {
          binding: {
            role: 'roles/b',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        },
      ],
      [
        activation('roles/a', '2030-06-01T12:30:00Z'),
        activation('roles/a', '2030-06-01T13:00:00Z'),
        activation('roles/b', '2030-06-01T12:00:00Z'),
      ],
    );
    expect(set.entitlements).toEqual([
      {
        role: 'roles/a',
        activationType: 'JIT',
        status: 'ACTIVE',
        validUntil: '2030-06-01T13:00:00Z',
      },
      {role: 'roles/b', activationType: 'JIT', status: 'ELIGIBLE'},
    ]);
  });

  it.each([
    [
      'another user',
      activation('roles/a', '2030-06-01T13:00:00Z', 'user:bob@example.com'),
    ],
    [
      'a different resource condition',
      activation(
        'roles/a',
        '2030-06-01T13:00:00Z',
        'user:alice@example.com',
        'resource.name == "x"',
      ),
    ],
    [
      'a time window without the activation title',
      {
        role: 'roles/a',
        members: ['user:alice@example.com'],
        condition: {
          title: 'temporary',
          expression:
            '(request.time >= timestamp("2030-06-01T11:00:00Z") && request.time < timestamp("2030-06-01T13:00:00Z"))',
        },
      },
    ],
  ])('does not count an activation of %s', (_name, binding) => {
    const set = compute(
      [
        {
          binding: {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        },
      ],
      [binding],
    );
    expect(set.entitlements[0]?.status).toBe('ELIGIBLE');
  });

  it('recognises an activation carrying the resource condition of the entitlement', () => {
    const set = compute(
      [
        {
          binding: {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: {
              expression: "has({}.jitAccessConstraint) && resource.name=='x'",
            },
          },
        },
      ],
      [
        activation(
          'roles/a',
          '2030-06-01T13:00:00Z',
          'user:alice@example.com',
          'resource.name == "x"',
        ),
      ],
    );
    expect(set.entitlements).toEqual([
      {
        role: 'roles/a',
        resourceCondition: 'resource.name == "x"',
        activationType: 'JIT',
        status: 'ACTIVE',
        validUntil: '2030-06-01T13:00:00Z',
      },
    ]);
  });
});

describe('mpaBindingsFor', () => {
  it('finds only MPA bindings of the same role and resource condition', () => {
    const bindings: IamBinding[] = [
      {role: 'roles/x', members: ['user:a@x.com'], condition: MPA},
      {role: 'roles/x', members: ['user:b@x.com'], condition: JIT},
      {role: 'roles/y', members: ['user:c@x.com'], condition: MPA},
      {
        role: 'roles/x',
        members: ['user:d@x.com'],
        condition: {expression: 'has({}.multiPartyApprovalConstraint) && a>b'},
      },
    ];
    expect(
      mpaBindingsFor(bindings, {role: 'roles/x'}).map(b => b.members),
    ).toEqual([['user:a@x.com']]);
    expect(
      mpaBindingsFor(bindings, {
        role: 'roles/x',
        resourceCondition: 'a > b',
      }).map(b => b.members),
    ).toEqual([['user:d@x.com']]);
  });
});

describe('analysedApplicability (PolicyAnalyzer)', () => {
  it.each([
    ['a user member', ['user:alice@example.com'], 'caller'],
    ['a domain member', ['domain:example.com'], 'caller'],
    ['a group Google expanded', ['group:any@example.com'], 'caller'],
    ['allUsers alone', ['allUsers'], 'public'],
    [
      'allUsers beside a group (fail closed)',
      ['allUsers', 'group:any@example.com'],
      'public',
    ],
    [
      'allUsers beside the user',
      ['allUsers', 'user:alice@example.com'],
      'caller',
    ],
    ['a service account', ['serviceAccount:alice@example.com'], 'none'],
  ] as const)('%s: %s', (_name, members, expected) => {
    expect(
      analysedApplicability({role: 'roles/x', members: [...members]}, alice),
    ).toBe(expected);
  });
});

import type {IamBinding, IamPolicy} from '../ports';
import {
  activationBinding,
  applyActivations,
  removeActivation,
} from './policy-edit';

const NOW = new Date('2040-01-01T12:00:00Z');
const window = (startIso: string, endIso: string) =>
  `(request.time >= timestamp("${startIso}") && request.time < timestamp("${endIso}"))`;

const activation = (
  role: string,
  member: string,
  startIso: string,
  endIso: string,
): IamBinding => ({
  role,
  members: [member],
  condition: {
    title: 'JIT access activation',
    description: 'Self-approved, justification: old',
    expression: window(startIso, endIso),
  },
});

const grant = {
  role: 'roles/browser',
  start: new Date('2040-01-01T12:00:00Z'),
  end: new Date('2040-01-01T13:00:00Z'),
};

describe('activationBinding', () => {
  it('writes the binding of docs/design.md §1 for a lower-cased user', () => {
    expect(
      activationBinding(
        'Alice@Example.com',
        grant,
        'Self-approved, justification: b/1',
      ),
    ).toEqual({
      role: 'roles/browser',
      members: ['user:alice@example.com'],
      condition: {
        title: 'JIT access activation',
        description: 'Self-approved, justification: b/1',
        expression:
          '(request.time >= timestamp("2040-01-01T12:00:00Z") && request.time < timestamp("2040-01-01T13:00:00Z"))',
      },
    });
  });

  it('wraps the window and the resource condition when there is one', () => {
    const b = activationBinding(
      'a@example.com',
      {...grant, resourceCondition: 'resource.name == "x"'},
      'd',
    );
    expect(b.condition?.expression).toBe(
      '((request.time >= timestamp("2040-01-01T12:00:00Z") && request.time < timestamp("2040-01-01T13:00:00Z"))) && (resource.name == "x")',
    );
  });
});

describe('applyActivations', () => {
  const alice = 'user:alice@example.com';
  const kept: Record<string, IamBinding> = {
    owner: {role: 'roles/owner', members: ['user:root@example.com']},
    aliceUnconditional: {role: 'roles/browser', members: [alice]},
    alicePermanentCondition: {
      role: 'roles/browser',
      members: [alice],
      condition: {title: 'eligible', expression: 'has({}.jitAccessConstraint)'},
    },
    bobActive: activation(
      'roles/browser',
      'user:bob@example.com',
      '2040-01-01T11:00:00Z',
      '2040-01-01T14:00:00Z',
    ),
    aliceOtherRoleActive: activation(
      'roles/viewer',
      alice,
      '2040-01-01T11:00:00Z',
      '2040-01-01T14:00:00Z',
    ),
    aliceOtherTitleExpired: {
      role: 'roles/viewer',
      members: [alice],
      condition: {
        title: 'not ours',
        expression: window('2039-01-01T11:00:00Z', '2039-01-01T12:00:00Z'),
      },
    },
  };
  // An expired activation IAM merged for alice and bob: alice is taken out.
  const sharedExpired: IamBinding = {
    ...activation(
      'roles/viewer',
      alice,
      '2039-01-01T11:00:00Z',
      '2039-01-01T12:00:00Z',
    ),
    members: [alice, 'user:bob@example.com'],
  };
  const removed: Record<string, IamBinding> = {
    aliceSameRoleActive: activation(
      'roles/browser',
      alice,
      '2040-01-01T11:00:00Z',
      '2040-01-01T12:30:00Z',
    ),
    aliceSameRoleExpired: activation(
      'roles/browser',
      alice,
      '2039-01-01T11:00:00Z',
      '2039-01-01T12:00:00Z',
    ),
    aliceSameRoleOtherCondition: {
      role: 'roles/browser',
      members: [alice],
      condition: {
        title: 'anything',
        expression: `(${window('2040-01-01T11:00:00Z', '2040-01-01T14:00:00Z')}) && (resource.name == "y")`,
      },
    },
    // Anyone's expired activation: it grants nothing and counts against
    // IAM's principal limit.
    bobExpired: activation(
      'roles/viewer',
      'user:bob@example.com',
      '2039-01-01T11:00:00Z',
      '2039-01-01T12:00:00Z',
    ),
    aliceExpiredOtherRole: activation(
      'roles/editor',
      alice,
      '2039-01-01T11:00:00Z',
      '2040-01-01T12:00:00Z',
    ),
  };
  const auditConfigs = [
    {service: 'allServices', auditLogConfigs: [{logType: 'DATA_READ'}]},
  ];
  const policy: IamPolicy = {
    version: 1,
    etag: 'BwX1',
    bindings: [
      ...Object.values(kept),
      sharedExpired,
      ...Object.values(removed),
    ],
    auditConfigs,
  };
  const result = applyActivations(
    policy,
    [
      {
        userEmail: 'alice@example.com',
        grants: [grant],
        description: 'Self-approved, justification: j',
      },
    ],
    NOW,
  );

  it.each(Object.keys(kept))('keeps %s as it was read', name => {
    expect(result.bindings).toContain(kept[name]);
  });

  it.each(Object.keys(removed))('removes %s', name => {
    expect(result.bindings).not.toContain(removed[name]);
  });

  it('removes an expired activation shared with alice, bob included', () => {
    expect(
      result.bindings?.filter(b => b.condition === sharedExpired.condition),
    ).toEqual([]);
  });

  it('adds the activation last, once', () => {
    expect(result.bindings).toHaveLength(Object.keys(kept).length + 1);
    expect(result.bindings?.[result.bindings.length - 1]).toEqual(
      activationBinding(
        'alice@example.com',
        grant,
        'Self-approved, justification: j',
      ),
    );
  });

  it('writes version 3 with the etag read and the audit configs untouched', () => {
    expect(result.version).toBe(3);
    expect(result.etag).toBe('BwX1');
    expect(result.auditConfigs).toBe(auditConfigs);
    expect(policy.bindings).toHaveLength(
      Object.keys(kept).length + 1 + Object.keys(removed).length,
    );
    expect(sharedExpired.members).toHaveLength(2);
  });

  it('adds one binding per grant', () => {
    const r = applyActivations(
      {bindings: []},
      [
        {
          userEmail: 'a@example.com',
          grants: [
            grant,
            {...grant, role: 'roles/viewer'},
            {...grant, resourceCondition: 'a > b'},
          ],
          description: 'd',
        },
      ],
      NOW,
    );
    // Two entitlements of one role in one call both stay.
    expect(
      r.bindings?.map(b => [
        b.role,
        b.condition?.expression.endsWith('(a > b)'),
      ]),
    ).toEqual([
      ['roles/browser', false],
      ['roles/viewer', false],
      ['roles/browser', true],
    ]);
  });

  it('lets the later of two merged edits of the same role win', () => {
    const later = {...grant, end: new Date('2040-01-01T12:30:00Z')};
    const r = applyActivations(
      {bindings: []},
      [
        {userEmail: 'a@example.com', grants: [grant], description: 'first'},
        {
          userEmail: 'b@example.com',
          grants: [grant],
          description: 'other user',
        },
        {userEmail: 'a@example.com', grants: [later], description: 'second'},
      ],
      NOW,
    );
    expect(r.bindings?.map(b => b.condition?.description)).toEqual([
      'other user',
      'second',
    ]);
  });
});

describe('applyActivations on activations IAM merged', () => {
  // IAM stores bindings of one role and one condition as one binding: two
  // users who activate a role in the same second with the same
  // justification share one activation binding.
  const alice = 'user:alice@example.com';
  const bob = 'user:bob@example.com';
  const shared = (role: string, startIso: string, endIso: string) => ({
    ...activation(role, alice, startIso, endIso),
    members: [alice, bob],
  });
  const edit = {
    userEmail: 'alice@example.com',
    grants: [grant],
    description: 'Self-approved, justification: j',
  };

  it('takes the user out of a shared activation of the role activated again', () => {
    const merged = shared(
      'roles/browser',
      '2040-01-01T11:00:00Z',
      '2040-01-01T12:30:00Z',
    );
    const result = applyActivations({bindings: [merged]}, [edit], NOW);
    expect(result.bindings).toEqual([
      {...merged, members: [bob]},
      activationBinding('alice@example.com', grant, edit.description),
    ]);
  });

  it('removes a shared activation that has expired, for every member', () => {
    const expired = shared(
      'roles/editor',
      '2039-01-01T11:00:00Z',
      '2039-01-01T12:00:00Z',
    );
    const result = applyActivations({bindings: [expired]}, [edit], NOW);
    expect(result.bindings).toEqual([
      activationBinding('alice@example.com', grant, edit.description),
    ]);
  });

  it('leaves a shared time-bound binding that is not an activation as it was', () => {
    const foreign: IamBinding = {
      ...shared(
        'roles/browser',
        '2040-01-01T11:00:00Z',
        '2040-01-01T14:00:00Z',
      ),
      condition: {
        title: 'granted by an administrator',
        expression: window('2040-01-01T11:00:00Z', '2040-01-01T14:00:00Z'),
      },
    };
    const result = applyActivations({bindings: [foreign]}, [edit], NOW);
    expect(result.bindings?.[0]).toBe(foreign);
  });
});

describe('removeActivation', () => {
  const g = {
    role: 'roles/browser',
    start: new Date('2040-01-01T10:00:00Z'),
    end: new Date('2040-01-01T11:00:00Z'),
  };
  const mine = activationBinding('alice@example.com', g, 'Approved by bob');
  const owner = {role: 'roles/owner', members: ['user:root@example.com']};

  it('removes the binding whatever its description, and keeps the rest as read', () => {
    const policy = {
      etag: 'e1',
      bindings: [
        owner,
        {...mine, condition: {...mine.condition!, description: 'other'}},
      ],
    };
    expect(removeActivation(policy, 'Alice@example.com', g)).toEqual({
      etag: 'e1',
      version: 3,
      bindings: [owner],
    });
  });

  it('takes the user out of a binding IAM merged with others', () => {
    const merged = {
      ...mine,
      members: [...mine.members, 'user:bob@example.com'],
    };
    expect(
      removeActivation({bindings: [merged]}, 'alice@example.com', g)?.bindings,
    ).toEqual([{...merged, members: ['user:bob@example.com']}]);
  });

  it('is undefined when no binding has that window, so that nothing is written', () => {
    const other = activationBinding(
      'alice@example.com',
      {...g, end: new Date('2040-01-01T11:00:01Z')},
      'd',
    );
    expect(
      removeActivation({bindings: [owner, other]}, 'alice@example.com', g),
    ).toBeUndefined();
  });
});

import {InvalidArgumentError, PermissionDeniedError} from '../errors';
import {
  describeEntitlement,
  entitlementRefOf,
  parseEntitlementRef,
  resolveEntitlement,
} from './entitlement-ref';
import type {Entitlement} from './types';

const entitlements: Entitlement[] = [
  {role: 'roles/browser', activationType: 'JIT', status: 'ELIGIBLE'},
  {
    role: 'roles/storage.admin',
    resourceCondition: 'resource.name == "a"',
    activationType: 'JIT',
    status: 'ELIGIBLE',
  },
  {
    role: 'roles/storage.admin',
    resourceCondition: 'resource.name == "b"',
    activationType: 'MPA',
    status: 'ELIGIBLE',
  },
  {
    role: 'roles/compute.viewer',
    resourceCondition: 'resource.type == "x"',
    activationType: 'MPA',
    status: 'ELIGIBLE',
  },
];

describe('parseEntitlementRef', () => {
  it.each<[string, unknown, object]>([
    [
      'a plain role',
      'roles/browser',
      {role: 'roles/browser', byRoleOnly: true},
    ],
    [
      'an object without condition',
      {role: 'roles/browser'},
      {role: 'roles/browser', byRoleOnly: false},
    ],
    [
      'an object with a condition, normalised',
      {role: 'roles/storage.admin', resourceCondition: "resource.name=='a'"},
      {
        role: 'roles/storage.admin',
        resourceCondition: 'resource.name == "a"',
        byRoleOnly: false,
      },
    ],
    [
      'a custom role',
      'projects/my-project/roles/myRole',
      {role: 'projects/my-project/roles/myRole', byRoleOnly: true},
    ],
  ])('reads %s', (_name, value, expected) => {
    expect(parseEntitlementRef(value)).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    ['a number', 7, /roles\[0\] must be a role name/],
    ['null', null, /roles\[0\] must be a role name/],
    ['an array', ['roles/x'], /roles\[0\] must be a role name/],
    ['an empty string', '', /roles\[0\]: a role name is required/],
    ['a bad role name', 'admin', /"admin" is not a valid role name/],
    ['a role with a space', 'roles/x y', /is not a valid role name/],
    ['an unknown field', {role: 'roles/x', extra: 1}, /unknown fields: extra/],
    [
      'no role',
      {resourceCondition: 'a'},
      /roles\[0\]\.role: a role name is required/,
    ],
    [
      'a blank condition',
      {role: 'roles/x', resourceCondition: ' '},
      /resourceCondition/,
    ],
    [
      'a condition that is not a string',
      {role: 'roles/x', resourceCondition: 1},
      /resourceCondition/,
    ],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseEntitlementRef(value, 'roles[0]')).toThrow(message);
    expect(() => parseEntitlementRef(value, 'roles[0]')).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('entitlementRefOf', () => {
  it('reads a role alone like a plain role string', () => {
    expect(entitlementRefOf('roles/browser', undefined)).toEqual({
      role: 'roles/browser',
      byRoleOnly: true,
    });
  });

  it('normalises a separate resource condition', () => {
    expect(entitlementRefOf('roles/x', 'a>b')).toEqual({
      role: 'roles/x',
      resourceCondition: 'a > b',
      byRoleOnly: false,
    });
  });

  it('refuses a bad role name', () => {
    expect(() => entitlementRefOf('x', undefined)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('resolveEntitlement', () => {
  const resolve = (value: unknown) =>
    resolveEntitlement(parseEntitlementRef(value), entitlements, 'p1');

  it('resolves a plain role with exactly one entitlement', () => {
    expect(resolve('roles/browser')).toBe(entitlements[0]);
    expect(resolve('roles/compute.viewer')).toBe(entitlements[3]);
  });

  it('asks for the resource condition when a plain role has several', () => {
    expect(() => resolve('roles/storage.admin')).toThrow(InvalidArgumentError);
    expect(() => resolve('roles/storage.admin')).toThrow(/resourceCondition/);
  });

  it('resolves a role and condition, however the condition is spaced', () => {
    expect(
      resolve({
        role: 'roles/storage.admin',
        resourceCondition: 'resource.name=="b"',
      }),
    ).toBe(entitlements[2]);
  });

  it.each<[string, unknown, string]>([
    [
      'an unknown role',
      'roles/owner',
      'You are not eligible for roles/owner on project p1',
    ],
    [
      'a condition the caller lacks',
      {role: 'roles/storage.admin', resourceCondition: 'resource.name == "c"'},
      'You are not eligible for roles/storage.admin (resource.name == "c") on project p1',
    ],
    [
      'no condition where the entitlement has one',
      {role: 'roles/compute.viewer'},
      'You are not eligible for roles/compute.viewer on project p1',
    ],
  ])('refuses %s with 403 naming it', (_name, value, message) => {
    let thrown: unknown;
    try {
      resolve(value);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PermissionDeniedError);
    expect((thrown as Error).message).toBe(message);
  });

  it('prefers JIT when the catalog lists one entitlement twice', () => {
    const twice: Entitlement[] = [
      {role: 'roles/x', activationType: 'MPA', status: 'ELIGIBLE'},
      {role: 'roles/x', activationType: 'JIT', status: 'ELIGIBLE'},
    ];
    expect(
      resolveEntitlement(parseEntitlementRef('roles/x'), twice, 'p1')
        .activationType,
    ).toBe('JIT');
  });
});

describe('describeEntitlement', () => {
  it.each([
    [{role: 'roles/x'}, 'roles/x'],
    [{role: 'roles/x', resourceCondition: 'a > b'}, 'roles/x (a > b)'],
  ])('describes %j as %j', (e, text) => {
    expect(describeEntitlement(e)).toBe(text);
  });
});

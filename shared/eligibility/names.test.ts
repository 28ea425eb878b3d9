import {
  containerName,
  isValidProjectId,
  isValidRoleName,
  projectOf,
} from './names';
import {makeCaller} from './principals';
import {callerIdentities, policyQueries} from './project-listing';

describe('project IDs', () => {
  it.each([
    ['my-project', true],
    ['abcdef', true],
    ['a23456789012345678901234567890', true],
    ['example.com:my-project', true],
    ['abcde', false],
    ['a234567890123456789012345678901', false],
    ['My-project', false],
    ['1project', false],
    ['project-', false],
    ['my_project', false],
    ['my-project/x', false],
    ['', false],
  ])('%s is valid: %s', (id, expected) => {
    expect(isValidProjectId(id)).toBe(expected);
  });
});

describe('role names', () => {
  it.each([
    ['roles/viewer', true],
    ['roles/compute.admin', true],
    ['projects/my-project/roles/custom_role.x', true],
    ['organizations/123/roles/Custom', true],
    ['viewer', false],
    ['roles/', false],
    ['roles/../x', false],
    ['roles/a b', false],
    ['folders/1/roles/x', false],
    ['projects/P/roles/x', false],
  ])('%s is valid: %s', (role, expected) => {
    expect(isValidRoleName(role)).toBe(expected);
  });
});

describe('resource names', () => {
  it.each([
    [
      '//cloudresourcemanager.googleapis.com/projects/p-one',
      'projects/p-one',
      'p-one',
    ],
    [
      '//cloudresourcemanager.googleapis.com/folders/12',
      'folders/12',
      undefined,
    ],
    [
      '//cloudresourcemanager.googleapis.com/organizations/1',
      'organizations/1',
      undefined,
    ],
    ['//storage.googleapis.com/projects/_/buckets/b', undefined, undefined],
    [
      '//cloudresourcemanager.googleapis.com/projects/p-one/x',
      undefined,
      undefined,
    ],
  ])('%s', (full, container, project) => {
    expect(containerName(full)).toBe(container);
    expect(projectOf(full)).toBe(project);
  });
});

describe('policy search queries', () => {
  it('names the user, every group and the domain', () => {
    expect(
      callerIdentities(
        makeCaller('A@Example.com', ['G2@example.com', 'g1@example.com']),
      ),
    ).toEqual([
      'user:a@example.com',
      'group:g1@example.com',
      'group:g2@example.com',
      'domain:example.com',
    ]);
  });

  it.each([
    [1, 1],
    [50, 1],
    [51, 2],
    [120, 3],
  ])('splits %i identities into %i queries of at most 50', (n, queries) => {
    const ids = Array.from({length: n}, (_, i) => `user:u${i}@x.com`);
    const q = policyQueries(ids);
    expect(q).toHaveLength(queries);
    const named = q.flatMap(s => s.match(/"user:[^"]+"/g) ?? []);
    expect(named).toHaveLength(n);
    expect(q[0]).toMatch(
      /^policy:\("user:u0@x\.com"( OR "user:u\d+@x\.com")*\)$/,
    );
  });
});

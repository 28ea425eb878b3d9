import {makeAssetInventoryClient} from '../../shared/google/asset';
import {GooglePermissionError} from '../../shared/errors';
import {InvalidArgumentError} from '../../shared/errors';
import {FAST, useFake} from './fake';
import {ORG} from './world';

const CRM = '//cloudresourcemanager.googleapis.com/';

const t = useFake();

describe('effectiveIamPolicies:batchGet', () => {
  it('answers a resource policy and its ancestors, nearest first, with base64 etags', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const [alpha] = await assets.batchGetEffectiveIamPolicies(ORG, [
      `${CRM}projects/alpha-project`,
    ]);
    expect(alpha?.fullResourceName).toBe(`${CRM}projects/alpha-project`);
    expect(alpha?.policies.map(p => p.attachedResource)).toEqual([
      `${CRM}projects/alpha-project`,
      `${CRM}folders/2001`,
      `${CRM}organizations/1001`,
    ]);
    expect(alpha?.policies[1]?.policy.bindings).toEqual([
      {
        role: 'roles/compute.admin',
        members: ['group:admins@example.com'],
        condition: {title: 'JIT', expression: 'has({}.jitAccessConstraint)'},
      },
    ]);
    expect(alpha?.policies[0]?.policy.etag).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const call = t.fake.calls('cloudasset.effectiveIamPolicies.batchGet')[0];
    // Google's documented REST form: the names as repeated parameters, and
    // enums as their names (no `$alt=json;enum-encoding=int`).
    expect(call?.query).toBe(
      `?names=${encodeURIComponent(`${CRM}projects/alpha-project`)}`,
    );
  });

  it('stops at the scope', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const [alpha] = await assets.batchGetEffectiveIamPolicies('folders/2002', [
      `${CRM}projects/alpha-project`,
    ]);
    expect(alpha?.policies.map(p => p.attachedResource)).toEqual([
      `${CRM}projects/alpha-project`,
    ]);
  });

  it('splits more than 20 names into batches and keeps their order', async () => {
    t.fake.world.projects = Array.from({length: 45}, (_, i) => ({
      projectId: `bulk-project-${i}`,
      projectNumber: String(5000 + i),
      parent: ORG,
    }));
    const names = t.fake.world.projects.map(
      p => `${CRM}projects/${p.projectId}`,
    );
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.batchGetEffectiveIamPolicies(ORG, names);
    expect(results.map(r => r.fullResourceName)).toEqual(names);
    expect(
      t.fake.calls('cloudasset.effectiveIamPolicies.batchGet'),
    ).toHaveLength(3);
  });

  it('retries a 503 from the REST transport', async () => {
    t.fake.failNext('cloudasset.effectiveIamPolicies.batchGet', 503, 2);
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    await assets.batchGetEffectiveIamPolicies(ORG, [
      `${CRM}projects/beta-project`,
    ]);
    expect(
      t.fake
        .calls('cloudasset.effectiveIamPolicies.batchGet')
        .map(c => c.status),
    ).toEqual([503, 503, 200]);
  });

  it('names cloudasset.assets.analyzeIamPolicy when the service account lacks it', async () => {
    t.fake.world.deniedPermissions = ['cloudasset.assets.analyzeIamPolicy'];
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const err = await assets
      .batchGetEffectiveIamPolicies(ORG, [`${CRM}projects/beta-project`])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GooglePermissionError);
    expect((err as Error).message).toContain(
      'cloudasset.assets.analyzeIamPolicy',
    );
    expect(
      t.fake.calls('cloudasset.effectiveIamPolicies.batchGet'),
    ).toHaveLength(1);
  });
});

describe('searchAllIamPolicies', () => {
  it("finds the bindings of the caller's identities on every page", async () => {
    t.fake.maxPageSize = 1;
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.searchAllIamPolicies(
      ORG,
      'policy:(user:alice@example.com OR group:admins@example.com OR domain:example.com)',
    );
    expect(
      results.map(r => [r.resource, r.policy.bindings?.map(b => b.role)]),
    ).toEqual([
      [`${CRM}organizations/1001`, ['roles/viewer']],
      [`${CRM}folders/2001`, ['roles/compute.admin']],
      [`${CRM}projects/alpha-project`, ['roles/storage.admin']],
    ]);
    expect(results[2]).toMatchObject({
      assetType: 'cloudresourcemanager.googleapis.com/Project',
      project: 'projects/3001',
      folders: ['folders/2002', 'folders/2001'],
      organization: ORG,
    });
    expect(t.fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(3);
  });

  it('retries a failed page without reading the earlier pages again', async () => {
    t.fake.maxPageSize = 1;
    t.fake.failNext('cloudasset.searchAllIamPolicies', 503, 1, 1);
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.searchAllIamPolicies(
      ORG,
      'policy:(alice@example.com OR admins@example.com OR example.com)',
    );
    expect(results).toHaveLength(3);
    const calls = t.fake.calls('cloudasset.searchAllIamPolicies');
    expect(calls.map(c => c.status)).toEqual([
      200,
      503,
      ...results.slice(1).map(() => 200),
    ]);
    expect(new URLSearchParams(calls[1]?.query).get('pageToken')).toBe(
      new URLSearchParams(calls[2]?.query).get('pageToken'),
    );
  });

  it('reports a query the fake cannot read as InvalidArgumentError, once', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    await expect(
      assets.searchAllIamPolicies(ORG, 'policy:(unbalanced'),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(t.fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
  });
});

describe('searchAllResources', () => {
  it('lists the projects under a folder, nested folders included, with their IDs', async () => {
    t.fake.maxPageSize = 1;
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.searchAllResources('folders/2001', {
      assetTypes: ['cloudresourcemanager.googleapis.com/Project'],
    });
    expect(results.map(r => r.additionalAttributes?.projectId)).toEqual([
      'alpha-project',
      'beta-project',
    ]);
    expect(results[0]).toMatchObject({
      name: `${CRM}projects/alpha-project`,
      project: 'projects/3001',
      state: 'ACTIVE',
      parentFullResourceName: `${CRM}folders/2002`,
    });
  });

  it('filters by state with a query', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.searchAllResources(ORG, {
      query: 'state:DELETE_REQUESTED',
      assetTypes: ['cloudresourcemanager.googleapis.com/Project'],
    });
    expect(results.map(r => r.name)).toEqual([`${CRM}projects/old-project`]);
  });
});

describe('analyzeIamPolicy', () => {
  it('finds what an identity can access through groups and the domain, resources expanded', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.analyzeIamPolicy({
      scope: ORG,
      identity: 'user:alice@example.com',
      expandResources: true,
    });
    const admin = results.find(
      r => r.iamBinding.role === 'roles/compute.admin',
    );
    expect(admin?.attachedResourceFullName).toBe(`${CRM}folders/2001`);
    expect(admin?.resources).toEqual(
      expect.arrayContaining([
        `${CRM}projects/alpha-project`,
        `${CRM}projects/beta-project`,
      ]),
    );
    expect(admin?.resources).not.toContain(`${CRM}projects/gamma-project`);
    expect(admin?.identities).toEqual(['user:alice@example.com']);
    expect(results.map(r => r.iamBinding.role).sort()).toEqual([
      'roles/compute.admin',
      'roles/storage.admin',
      'roles/viewer',
    ]);
    // Sent with the prefixes Google documents, not as google-gax would.
    const call = t.fake.calls('cloudasset.analyzeIamPolicy')[0];
    expect(call?.query).toContain('analysisQuery.identitySelector.identity=');
  });

  it('finds who can access a resource, groups expanded', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const results = await assets.analyzeIamPolicy({
      scope: ORG,
      resource: `${CRM}projects/beta-project`,
      roles: ['roles/compute.admin'],
      expandGroups: true,
    });
    expect(results).toHaveLength(1);
    expect(results[0]?.identities).toEqual(
      expect.arrayContaining([
        'group:admins@example.com',
        'user:bob@example.com',
        'user:alice@example.com',
        'user:carol@example.com',
      ]),
    );
  });

  it('changes its answer when the world changes', async () => {
    const assets = makeAssetInventoryClient(t.config, t.log, FAST);
    const before = await assets.analyzeIamPolicy({
      scope: ORG,
      identity: 'user:dave@example.com',
    });
    t.fake.world
      .groups!.find(g => g.email === 'empty@example.com')!
      .members.push('dave@example.com');
    t.fake.world.policies!['projects/gamma-project'] = {
      bindings: [{role: 'roles/editor', members: ['group:empty@example.com']}],
    };
    const after = await assets.analyzeIamPolicy({
      scope: ORG,
      identity: 'user:dave@example.com',
    });
    expect(after.length).toBe(before.length + 1);
  });
});

/**
 * Two catalogs, one answer: for the same seeded world, the
 * AssetInventory and PolicyAnalyzer catalogs give the same entitlements,
 * projects and peers, and both change when the world changes.
 */
import type {WorldBinding} from '../../sandbox/fake-gcp';
import type {Entitlement} from '../../shared/eligibility/types';
import {NotFoundError, PermissionDeniedError} from '../../shared/errors';
import {
  activationBinding,
  JIT,
  MPA,
  startEligibilityWorld,
  type EligibilityWorld,
} from './world';

let w: EligibilityWorld;
beforeAll(async () => {
  w = await startEligibilityWorld();
});
afterAll(() => w.stop());

const ALICE = 'alice@example.com';
const CATALOGS = ['AssetInventory', 'PolicyAnalyzer'] as const;

function wholeSeconds(offsetMs: number): Date {
  return new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000);
}
const IN_AN_HOUR = wholeSeconds(3600_000);
const AN_HOUR_AGO = wholeSeconds(-3600_000);
const ts = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');

/** Both catalogs' answers for alice on alpha-app. */
async function bothEntitlements(user = ALICE, project = 'alpha-app') {
  const [a, p] = await Promise.all(
    CATALOGS.map(c => w.catalogs[c].listEntitlements(user, project)),
  );
  return {AssetInventory: a!, PolicyAnalyzer: p!};
}

const eligible = (
  role: string,
  extra: Partial<Entitlement> = {},
): Entitlement => ({
  role,
  activationType: 'JIT',
  status: 'ELIGIBLE',
  ...extra,
});

const scenarios: Array<
  [string, Record<string, WorldBinding[]>, Entitlement[], number]
> = [
  [
    'a direct binding',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['user:Alice@example.com'], condition: JIT},
      ],
    },
    [eligible('roles/a')],
    0,
  ],
  [
    'a group',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:inner@example.com'], condition: MPA},
      ],
    },
    [eligible('roles/a', {activationType: 'MPA'})],
    0,
  ],
  [
    'a nested group',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:team@example.com'], condition: JIT},
      ],
    },
    [eligible('roles/a')],
    0,
  ],
  [
    'a domain',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['domain:example.com'], condition: JIT},
      ],
    },
    [eligible('roles/a')],
    0,
  ],
  [
    'a folder-level binding two folders up',
    {
      'folders/100': [
        {role: 'roles/f', members: ['user:alice@example.com'], condition: JIT},
      ],
    },
    [eligible('roles/f')],
    0,
  ],
  [
    'an organization-level binding',
    {
      'organizations/1': [
        {role: 'roles/o', members: ['group:team@example.com'], condition: MPA},
      ],
    },
    [eligible('roles/o', {activationType: 'MPA'})],
    0,
  ],
  [
    'a resource condition',
    {
      'projects/alpha-app': [
        {
          role: 'roles/a',
          members: ['user:alice@example.com'],
          condition: {
            expression:
              "has({}.jitAccessConstraint) && resource.name.startsWith('projects/_/buckets/x')",
          },
        },
      ],
    },
    [
      eligible('roles/a', {
        resourceCondition: 'resource.name.startsWith("projects/_/buckets/x")',
      }),
    ],
    0,
  ],
  [
    'a role both JIT and MPA (JIT wins)',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:team@example.com'], condition: MPA},
      ],
      'folders/200': [
        {role: 'roles/a', members: ['user:alice@example.com'], condition: JIT},
      ],
    },
    [eligible('roles/a')],
    0,
  ],
  [
    'an active activation and an expired one',
    {
      'projects/alpha-app': [
        {role: 'roles/a', members: ['user:alice@example.com'], condition: JIT},
        {role: 'roles/b', members: ['user:alice@example.com'], condition: JIT},
        activationBinding('roles/a', ALICE, AN_HOUR_AGO, IN_AN_HOUR),
        activationBinding(
          'roles/b',
          ALICE,
          wholeSeconds(-7200_000),
          AN_HOUR_AGO,
        ),
      ],
    },
    [
      eligible('roles/a', {status: 'ACTIVE', validUntil: ts(IN_AN_HOUR)}),
      eligible('roles/b'),
    ],
    0,
  ],
  [
    'a serviceAccount member (never)',
    {
      'projects/alpha-app': [
        {
          role: 'roles/a',
          members: ['serviceAccount:alice@example.com'],
          condition: JIT,
        },
        {
          role: 'roles/b',
          members: ['user:bob@example.com', 'group:other@example.com'],
          condition: JIT,
        },
        {role: 'roles/c', members: ['user:alice@example.com']},
      ],
    },
    [],
    0,
  ],
  [
    'allUsers (ignored with a warning)',
    {
      'projects/alpha-app': [
        {role: 'roles/owner', members: ['allUsers'], condition: JIT},
      ],
    },
    [],
    1,
  ],
];

describe('both catalogs give the same entitlements', () => {
  it.each(scenarios)('for %s', async (_name, policies, expected, warnings) => {
    w.setPolicies(policies);
    w.memory.lines.length = 0;
    const answers = await bothEntitlements();
    // Each catalog logs each warning once, labelled with the user and project.
    const logged = w.memory
      .entries()
      .map(e => e['logging.googleapis.com/labels'] as Record<string, string>)
      .filter(l => l?.['event'] === 'eligibility.publicBinding');
    expect(logged).toHaveLength(2 * warnings);
    for (const labels of logged) {
      expect(labels).toMatchObject({user: ALICE, project: 'alpha-app'});
    }
    for (const c of CATALOGS) {
      expect({catalog: c, roles: answers[c].entitlements}).toEqual({
        catalog: c,
        roles: expected,
      });
      expect(answers[c].warnings).toHaveLength(warnings);
    }
    expect(answers.PolicyAnalyzer).toEqual(answers.AssetInventory);
  });

  it('follows a change of the world', async () => {
    w.setPolicies({
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:team@example.com'], condition: JIT},
      ],
    });
    expect((await bothEntitlements()).PolicyAnalyzer.entitlements).toHaveLength(
      1,
    );

    // alice leaves the nested group: neither catalog may still grant roles/a.
    const inner = w.fake.world.groups!.find(
      g => g.email === 'inner@example.com',
    )!;
    inner.members = ['carol@example.com'];
    try {
      const after = await bothEntitlements();
      expect(after.AssetInventory.entitlements).toEqual([]);
      expect(after.PolicyAnalyzer.entitlements).toEqual([]);
      const carol = await bothEntitlements('carol@example.com');
      expect(carol.AssetInventory.entitlements).toEqual([eligible('roles/a')]);
      expect(carol.PolicyAnalyzer).toEqual(carol.AssetInventory);
    } finally {
      inner.members = ['alice@example.com', 'carol@example.com'];
    }
  });

  it('finds nested groups where the Cloud Identity edition refuses transitive search', async () => {
    w.setPolicies({
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:team@example.com'], condition: JIT},
      ],
    });
    w.fake.world.identityPremium = false;
    try {
      const answers = await bothEntitlements();
      expect(answers.AssetInventory.entitlements).toEqual([
        eligible('roles/a'),
      ]);
      expect(answers.PolicyAnalyzer).toEqual(answers.AssetInventory);
    } finally {
      w.fake.world.identityPremium = true;
    }
  });

  it.each(CATALOGS)('%s answers 404 for an unknown project', async c => {
    w.setPolicies({});
    await expect(
      w.catalogs[c].listEntitlements(ALICE, 'nope-project'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(CATALOGS)(
    '%s answers 404 for a project outside the scope',
    async c => {
      w.setPolicies({
        'projects/alpha-app': [
          {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        ],
      });
      const scoped = w.withEnv({RESOURCE_SCOPE: 'folders/300'});
      await expect(
        scoped[c].listEntitlements(ALICE, 'alpha-app'),
      ).rejects.toBeInstanceOf(NotFoundError);
    },
  );

  it('costs at most 3 Google API calls with AssetInventory and 1 with PolicyAnalyzer', async () => {
    w.setPolicies({
      'projects/alpha-app': [
        {role: 'roles/a', members: ['group:team@example.com'], condition: JIT},
      ],
    });
    // Fresh adapters: the directory remembers an edition refusal per instance.
    const fresh = w.withEnv({});
    w.fake.resetLog();
    await fresh.AssetInventory.listEntitlements(ALICE, 'alpha-app');
    expect(w.fake.calls().length).toBeLessThanOrEqual(3);
    w.fake.resetLog();
    await fresh.PolicyAnalyzer.listEntitlements(ALICE, 'alpha-app');
    expect(w.fake.calls().map(c => c.name)).toHaveLength(1);
  });
});

describe('both catalogs list the same projects', () => {
  const projectCases: Array<
    [string, Record<string, WorldBinding[]>, string[], Record<string, string>?]
  > = [
    [
      'none without an eligible binding',
      {
        'projects/alpha-app': [
          {role: 'roles/a', members: ['user:alice@example.com']},
        ],
      },
      [],
    ],
    [
      'a project-level binding',
      {
        'projects/beta-app': [
          {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: MPA,
          },
        ],
      },
      ['beta-app'],
    ],
    [
      'nested folders under an eligible folder',
      {
        'folders/100': [
          {
            role: 'roles/a',
            members: ['group:team@example.com'],
            condition: JIT,
          },
        ],
      },
      ['alpha-app', 'delta-app'],
    ],
    [
      'every active project for a binding on the organization',
      {
        'organizations/1': [
          {role: 'roles/a', members: ['domain:example.com'], condition: JIT},
        ],
      },
      ['alpha-app', 'beta-app', 'delta-app'],
    ],
    [
      'every project of a folder scope for a binding on the scope itself',
      {
        'folders/100': [
          {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        ],
      },
      ['alpha-app', 'delta-app'],
      {RESOURCE_SCOPE: 'folders/100'},
    ],
    [
      'no project for allUsers or a service account',
      {
        'projects/alpha-app': [
          {role: 'roles/a', members: ['allUsers'], condition: JIT},
        ],
        'projects/beta-app': [
          {
            role: 'roles/a',
            members: ['serviceAccount:alice@example.com'],
            condition: JIT,
          },
        ],
      },
      [],
    ],
    [
      'no deleted project',
      {
        'projects/gamma-app': [
          {
            role: 'roles/a',
            members: ['user:alice@example.com'],
            condition: JIT,
          },
        ],
      },
      [],
    ],
  ];
  // Objects, not rows: a row shorter than the callback's parameters would
  // make jest pass a done callback.
  const projectTable = projectCases.map(([name, policies, expected, env]) => ({
    name,
    policies,
    expected,
    env,
  }));
  it.each(projectTable)('$name', async ({policies, expected, env}) => {
    w.setPolicies(policies);
    const catalogs = env ? w.withEnv(env) : w.catalogs;
    for (const c of CATALOGS) {
      expect({
        catalog: c,
        projects: await catalogs[c].listProjects(ALICE),
      }).toEqual({catalog: c, projects: expected});
    }
  });

  it('lists the projects matching AVAILABLE_PROJECTS_QUERY, not personalised, with either catalog', async () => {
    w.setPolicies({});
    const catalogs = w.withEnv({
      AVAILABLE_PROJECTS_QUERY: 'parent:folders/300 OR parent:folders/200',
    });
    for (const c of CATALOGS) {
      expect({
        catalog: c,
        projects: await catalogs[c].listProjects(ALICE),
      }).toEqual({
        catalog: c,
        projects: ['alpha-app', 'beta-app'],
      });
    }
  });

  it('searches at most 50 identities per policy query', async () => {
    const groups = Array.from({length: 60}, (_, i) => ({
      email: `many${i}@example.com`,
      members: ['alice@example.com'],
    }));
    const saved = w.fake.world.groups;
    w.fake.world.groups = [...(saved ?? []), ...groups];
    try {
      w.setPolicies({
        'projects/beta-app': [
          {
            role: 'roles/a',
            members: ['group:many55@example.com'],
            condition: JIT,
          },
        ],
      });
      w.fake.resetLog();
      expect(await w.catalogs.AssetInventory.listProjects(ALICE)).toEqual([
        'beta-app',
      ]);
      const searches = w.fake
        .calls()
        .filter(c => /searchAllIamPolicies/.test(c.name));
      expect(searches).toHaveLength(2);
    } finally {
      w.fake.world.groups = saved;
    }
  });
});

describe('both catalogs list the same peers', () => {
  beforeEach(() => {
    w.setPolicies({
      'projects/alpha-app': [
        {
          role: 'roles/m',
          members: ['group:team@example.com', 'user:Eve@example.com'],
          condition: MPA,
        },
        {role: 'roles/m', members: ['user:dave@example.com'], condition: JIT},
        {
          role: 'roles/j',
          members: ['user:alice@example.com', 'user:bob@example.com'],
          condition: JIT,
        },
      ],
    });
  });

  it('expands nested groups and leaves the caller out', async () => {
    for (const c of CATALOGS) {
      expect({
        catalog: c,
        peers: await w.catalogs[c].listPeers(ALICE, 'alpha-app', {
          role: 'roles/m',
        }),
      }).toEqual({
        catalog: c,
        peers: ['bob@example.com', 'carol@example.com', 'eve@example.com'],
      });
    }
  });

  it.each(CATALOGS)('%s refuses a caller who is not MPA-eligible', async c => {
    await expect(
      w.catalogs[c].listPeers(ALICE, 'alpha-app', {role: 'roles/j'}),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(
      w.catalogs[c].listPeers('dave@example.com', 'alpha-app', {
        role: 'roles/m',
      }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('both catalogs agree on who may review', () => {
  const BOB = 'bob@example.com';
  const CONDITION = 'resource.name.startsWith("projects/_/buckets/b")';
  beforeEach(() => {
    w.setPolicies({
      'projects/alpha-app': [
        {
          role: 'roles/m',
          members: ['group:team@example.com', 'user:eve@example.com'],
          condition: MPA,
        },
        // bob is also JIT-eligible for the same entitlement: JIT wins for
        // what bob may request, but he still holds an MPA-eligible binding.
        {role: 'roles/m', members: ['user:bob@example.com'], condition: JIT},
        {role: 'roles/m', members: ['user:dave@example.com'], condition: JIT},
        {
          role: 'roles/c',
          members: ['user:alice@example.com', 'user:bob@example.com'],
          condition: {
            expression:
              "has({}.multiPartyApprovalConstraint) && resource.name.startsWith('projects/_/buckets/b')",
          },
        },
        {
          role: 'roles/c',
          members: ['user:bob@example.com'],
          condition: {
            expression:
              'has({}.jitAccessConstraint) && resource.name.startsWith("projects/_/buckets/b")',
          },
        },
      ],
    });
  });

  it.each(CATALOGS)(
    '%s: a peer with both a JIT and an MPA binding is offered and accepted as a reviewer',
    async c => {
      const catalog = w.catalogs[c];
      // What bob may request is unchanged: JIT wins.
      const bobs = await catalog.listEntitlements(BOB, 'alpha-app');
      expect(bobs.entitlements.map(e => [e.role, e.activationType])).toEqual([
        ['roles/c', 'JIT'],
        ['roles/m', 'JIT'],
      ]);
      for (const entitlement of [
        {role: 'roles/m'},
        {role: 'roles/c', resourceCondition: CONDITION},
      ]) {
        const peers = await catalog.listPeers(ALICE, 'alpha-app', entitlement);
        expect(peers).toContain(BOB);
        // Everyone offered is accepted.
        for (const peer of peers) {
          expect({
            peer,
            ok: await catalog.isReviewer!(peer, 'alpha-app', entitlement),
          }).toEqual({
            peer,
            ok: true,
          });
        }
      }
    },
  );

  it.each(CATALOGS)(
    '%s: refuses who holds no MPA-eligible binding for it',
    async c => {
      const catalog = w.catalogs[c];
      // dave is JIT-eligible only.
      expect(
        await catalog.isReviewer!('dave@example.com', 'alpha-app', {
          role: 'roles/m',
        }),
      ).toBe(false);
      // Another resource condition is another entitlement.
      expect(
        await catalog.isReviewer!(BOB, 'alpha-app', {
          role: 'roles/m',
          resourceCondition: CONDITION,
        }),
      ).toBe(false);
      expect(
        await catalog.isReviewer!(BOB, 'alpha-app', {role: 'roles/c'}),
      ).toBe(false);
      await expect(
        catalog.isReviewer!(BOB, 'no-such-app', {role: 'roles/m'}),
      ).rejects.toBeInstanceOf(NotFoundError);
    },
  );

  it('gives the same answers with both catalogs', async () => {
    const users = ['alice', 'bob', 'carol', 'dave', 'eve'].map(
      u => `${u}@example.com`,
    );
    const entitlements = [
      {role: 'roles/m'},
      {role: 'roles/c', resourceCondition: CONDITION},
      {role: 'roles/c'},
    ];
    const answers = async (c: (typeof CATALOGS)[number]) => {
      const out: string[] = [];
      for (const u of users) {
        for (const e of entitlements) {
          if (await w.catalogs[c].isReviewer!(u, 'alpha-app', e)) {
            out.push(`${u} ${e.role} ${e.resourceCondition ?? ''}`);
          }
        }
      }
      return out;
    };
    const a = await answers('AssetInventory');
    expect(await answers('PolicyAnalyzer')).toEqual(a);
    expect(a).toEqual([
      'alice@example.com roles/m ',
      `alice@example.com roles/c ${CONDITION}`,
      'bob@example.com roles/m ',
      `bob@example.com roles/c ${CONDITION}`,
      'carol@example.com roles/m ',
      'eve@example.com roles/m ',
    ]);
  });
});

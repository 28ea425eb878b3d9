/**
 * The arrows of docs/architecture.md, checked by dependency-cruiser with the
 * rules of .dependency-cruiser.cjs: the tree breaks none, and each rule
 * catches an import that breaks it.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const CONFIG = path.join(REPO, '.dependency-cruiser.cjs');
const CLI = path.join(
  REPO,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruise.mjs',
);

interface Violation {
  from: string;
  to: string;
  rule: {name: string};
}

/** Runs dependency-cruiser in `cwd` over `folders`; its violations. */
function cruise(cwd: string, folders: string[]): Violation[] {
  const run = spawnSync(
    process.execPath,
    [CLI, '--config', CONFIG, '--output-type', 'json', ...folders],
    {cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
  );
  if (!run.stdout) throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as {
    summary: {violations: Violation[]};
  };
  return result.summary.violations;
}

const RULES = (
  require(CONFIG) as {forbidden: Array<{name: string}>}
).forbidden.map(r => r.name);

it('finds no import that breaks a rule of docs/architecture.md', () => {
  const violations = cruise(REPO, [
    'functions',
    'shared',
    'web',
    'sandbox',
    'cli',
  ]);
  expect(violations.map(v => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual(
    [],
  );
});

describe('each rule', () => {
  let dir: string;
  let found: Violation[];

  /** A tree that breaks every rule once. */
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({compilerOptions: {module: 'commonjs'}}),
    'sandbox/fake.ts': 'export const fake = 1;\n',
    'functions/entry.ts':
      "import {fake} from '../sandbox/fake';\nexport const e = fake;\n",
    'shared/config.ts':
      "import {e} from '../functions/entry';\nexport const c = e;\n",
    'shared/catalog.ts':
      "import {OAuth2Client} from 'google-auth-library';\nexport const g = OAuth2Client;\n",
    'shared/google/asset.ts': 'export const a = 1;\n',
    'shared/iap/keys.ts':
      "import {a} from '../google/asset';\nexport const k = a;\n",
    'shared/limits.ts': "import {c} from './config';\nexport const l = c;\n",
    'web/page.ts':
      "import {c} from '../shared/config';\nimport {l} from '../shared/limits';\nexport const p = [c, l];\n",
    'web/files.ts': "import * as fs from 'node:fs';\nexport const f = fs;\n",
    'shared/api.ts': 'export const API = 1;\n',
    // The command line reaching into the server, and using api.ts's code.
    'cli/jit.ts':
      "import {c} from '../shared/config';\nimport {API} from '../shared/api';\nexport const j = [c, API];\n",
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true});
      fs.writeFileSync(path.join(dir, name), text);
    }
    fs.symlinkSync(
      path.join(REPO, 'node_modules'),
      path.join(dir, 'node_modules'),
    );
    found = cruise(dir, ['functions', 'shared', 'web', 'sandbox', 'cli']);
  });
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

  it.each([
    ['functions-only-to-shared', 'functions/entry.ts', 'sandbox/fake.ts'],
    ['shared-not-to-entry-points', 'shared/config.ts', 'functions/entry.ts'],
    [
      'google-libraries-only-in-adapters',
      'shared/catalog.ts',
      'google-auth-library',
    ],
    ['iap-not-to-adapters', 'shared/iap/keys.ts', 'shared/google/asset.ts'],
    ['no-sandbox-in-production', 'functions/entry.ts', 'sandbox/fake.ts'],
    ['web-only-pure-shared', 'web/page.ts', 'shared/config.ts'],
    ['pure-shared-stays-pure', 'shared/limits.ts', 'shared/config.ts'],
    ['web-no-node-modules', 'web/files.ts', 'fs'],
    ['cli-speaks-only-the-api', 'cli/jit.ts', 'shared/config.ts'],
    ['cli-types-only', 'cli/jit.ts', 'shared/api.ts'],
  ])('%s catches %s → %s', (rule, from, to) => {
    expect(found).toContainEqual(
      expect.objectContaining({
        rule: expect.objectContaining({name: rule}),
        from,
        to: expect.stringContaining(to),
      }),
    );
  });

  it('covers every rule of the configuration', () => {
    expect(new Set(found.map(v => v.rule.name))).toEqual(new Set(RULES));
  });

  it('lets a web import of a pure module through', () => {
    expect(
      found.filter(
        v => v.from === 'web/page.ts' && v.to === 'shared/limits.ts',
      ),
    ).toEqual([]);
  });
});

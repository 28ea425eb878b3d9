/**
 * Fuzz: upstream's printed form of resource conditions
 * (shared/eligibility/conditions-cel.ts) against a maintained CEL
 * implementation (@marcbachmann/cel-js), with fast-check generating typed
 * CEL expressions with random layout and parentheses (cel-printer.mjs). Every
 * printed form must parse, and evaluate as its input does in several
 * contexts. Both libraries are ES modules, so the property runs in a child
 * process over the built module; the seed is fixed, so a failure reproduces.
 */
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const BUILT = path.join(REPO, 'build/shared/eligibility/conditions-cel.js');
const SEED = 20261203;
const RUNS = 2000;

it(`prints ${RUNS} generated conditions so that they parse and mean the same`, () => {
  if (!fs.existsSync(BUILT)) {
    throw new Error('build/ is missing: run `npm run build` first');
  }
  const out = execFileSync(
    process.execPath,
    [
      path.join(__dirname, 'cel-printer.mjs'),
      BUILT,
      String(SEED),
      String(RUNS),
    ],
    {cwd: REPO, encoding: 'utf8', timeout: 120_000},
  );
  expect((JSON.parse(out) as {failures: string[]}).failures).toEqual([]);
});

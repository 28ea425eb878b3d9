/**
 * The upstream condition vectors (test/fixtures/conditions.json; where they
 * come from: test/fixtures/README.md), for every test that checks them.
 */
import * as fs from 'fs';
import * as path from 'path';

export const CONDITION_VECTORS_PATH = path.join(
  __dirname,
  '..',
  'fixtures',
  'conditions.json',
);

/** The vectors, typed as the reading test declares them. */
export function loadConditionVectors<T>(): T {
  return JSON.parse(fs.readFileSync(CONDITION_VECTORS_PATH, 'utf8')) as T;
}

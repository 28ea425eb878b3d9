/**
 * Facts about JIT Access 1.8.1 (test/fixtures/jit-access-1.8.1.json; where
 * they come from: test/fixtures/README.md), for every test that checks them.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface UpstreamVariable {
  name: string;
  default: string | null;
  /** A value upstream accepts. */
  example: string;
  unit?: string;
  note?: string;
}

export interface UpstreamFacts {
  variables: {list: UpstreamVariable[]};
  extract: {
    value: string;
    cases: Array<{template: string; expected: string}>;
  };
  addressMapping: {
    cases: Array<{
      test: string;
      expression: string;
      email: string;
      /** null: upstream refuses the expression. */
      expected: string | null;
    }>;
  };
}

export function loadUpstreamFacts(): UpstreamFacts {
  return JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '..', 'fixtures', 'jit-access-1.8.1.json'),
      'utf8',
    ),
  ) as UpstreamFacts;
}

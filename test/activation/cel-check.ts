/**
 * Parses CEL expressions with a real CEL implementation (@marcbachmann/cel-js).
 * It is an ES module, which jest's CommonJS runtime cannot load, so it runs
 * in a short-lived Node child process.
 */
import {execFile} from 'child_process';
import * as path from 'path';

const SCRIPT = `
import {parse} from '@marcbachmann/cel-js';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(e => {
  try { parse(e); return null; } catch (err) { return String(err.message).split('\\n')[0]; }
});
process.stdout.write(JSON.stringify(out));
`;

/** For each expression, null when it parses, else the parser's message. */
export function celParseErrors(
  expressions: string[],
): Promise<Array<string | null>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT],
      {cwd: path.join(__dirname, '../..'), timeout: 20_000},
      (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout) as Array<string | null>);
      },
    );
    child.stdin?.end(JSON.stringify(expressions));
  });
}

/**
 * `npm run bench`: runs every section in bench/sections/ in file-name order
 * and prints one table, with the machine it ran on. A script, not a test: it
 * reports targets met or missed and exits 0 either way, unless a section
 * fails to run.
 *
 * Add a section: bench/sections/NN-name.ts exporting `section: BenchSection`
 * (bench/lib/section.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type {BenchRow, BenchSection} from './lib/section';

function machine(): string {
  const cpus = os.cpus();
  return [
    `node ${process.version}`,
    `${os.availableParallelism?.() ?? cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'})`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${os.platform()} ${os.release()}`,
  ].join(', ');
}

function table(rows: Array<BenchRow & {section: string}>): string {
  const cells = rows.map(r => [
    r.section,
    r.metric,
    `${r.value} ${r.unit}`,
    r.target === undefined
      ? ''
      : `<= ${r.target} ${r.unit} ${r.value <= r.target ? 'met' : 'MISSED'}`,
    r.note ?? '',
  ]);
  const header = ['section', 'metric', 'value', 'target', 'how'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map(c => c[i]!.length)),
  );
  const line = (c: string[]) =>
    '| ' + c.map((x, i) => x.padEnd(widths[i]!)).join(' | ') + ' |';
  return [
    line(header),
    '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|',
    ...cells.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = path.join(__dirname, 'sections');
  const only = process.argv[2];
  const files = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.js') && (!only || f.includes(only)))
    .sort();
  console.log(`Machine: ${machine()}\n`);
  const rows: Array<BenchRow & {section: string}> = [];
  for (const file of files) {
    const {section} = require(path.join(dir, file)) as {section: BenchSection};
    process.stderr.write(`running ${section.title} …\n`);
    for (const row of await section.run())
      rows.push({...row, section: section.title});
  }
  console.log(table(rows));
}

main().catch(err => {
  console.error(err);
  process.exitCode = 1;
});

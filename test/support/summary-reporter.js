'use strict';
/**
 * Prints the plain summary line CI reads ("N passed, N failed") and lists
 * every skipped test with its reason. A test that skips itself carries the
 * reason in its name (see test/support/skip.ts). The line is also written to
 * test-results/summary.txt so that .ci/run can print it last.
 */
const fs = require('fs');
const path = require('path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          skipped.push(`${path.relative(process.cwd(), file.testFilePath)}: ${t.fullName}`);
        }
      }
    }
    // A suite that failed to load counts as one failure.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const lines = [];
    if (skipped.length) {
      lines.push(`skipped (${skipped.length}):`);
      for (const s of skipped) lines.push(`  - ${s}`);
    }
    lines.push(`${results.numPassedTests} passed, ${failed} failed`);
    const text = lines.join('\n') + '\n';
    process.stdout.write('\n' + text);
    fs.mkdirSync('test-results', {recursive: true});
    fs.writeFileSync(path.join('test-results', 'summary.txt'), text);
  }
}
module.exports = SummaryReporter;

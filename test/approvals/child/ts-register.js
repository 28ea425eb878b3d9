'use strict';
/**
 * Lets a child process of a test `require` TypeScript sources directly
 * (`node -r ./test/approvals/child/ts-register.js script.ts`), transpiled
 * with the project's TypeScript, so it runs the same code as the test
 * without a build. Types are checked by `tsc`, not here.
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const {outputText} = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(outputText, filename);
};

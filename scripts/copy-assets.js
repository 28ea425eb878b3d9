'use strict';
// Copies the files the compiled code reads at run time (the UI's static
// assets) next to it in build/, and builds the UI's script: web/src/*.ts are
// ES modules (type-checked by tsc with the rest), transpiled here and joined
// into one file, build/web/static/app.js, so a first load costs one script
// request, not one per module. index.html gets `?v=<hash>` on its asset URLs
// so that the web function may let browsers cache them for good.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
for (const dir of ['web/static']) {
  const from = path.join(root, dir);
  if (fs.existsSync(from)) {
    fs.cpSync(from, path.join(root, 'build', dir), {recursive: true});
  }
}

/** The first 12 characters of the base64url SHA-256 (functions/web agrees). */
function version(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('base64url').slice(0, 12);
}

/**
 * Joins ES modules that import each other by name (`import {a, b as c} from
 * './x.js'`) and export declarations (`export function|const|class`) into
 * one script, each module in its own function scope, dependencies first.
 */
function bundle(modules, entry) {
  const order = [];
  const state = new Map();
  const importRe = /^import\s*\{([^}]*)\}\s*from\s*['"]\.\/([\w-]+)\.js['"];?/gm;
  const visit = name => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`web/src: import cycle through ${name}`);
    if (!(name in modules)) throw new Error(`web/src: no module ${name}`);
    state.set(name, 'visiting');
    for (const m of modules[name].matchAll(importRe)) visit(m[2]);
    state.set(name, 'done');
    order.push(name);
  };
  visit(entry);
  const id = name => `__${name.replace(/-/g, '_')}`;
  let out = '';
  for (const name of order) {
    const exported = [];
    let code = modules[name].replace(importRe, (_, names, dep) => {
      const bindings = names
        .split(',')
        .map(n => n.trim())
        .filter(Boolean)
        .map(n => n.replace(/\s+as\s+/, ': '));
      return `const {${bindings.join(', ')}} = ${id(dep)};`;
    });
    code = code.replace(
      /^export\s+(async\s+function|function|const|let|class)\s+([\w$]+)/gm,
      (_, kind, n) => {
        exported.push(n);
        return `${kind} ${n}`;
      },
    );
    if (/^\s*(import|export)\b/m.test(code)) {
      throw new Error(`web/src/${name}.ts: an import or export form the bundler does not know`);
    }
    out += `// ${name}\nconst ${id(name)} = (() => {\n${code}\nreturn {${exported.join(', ')}};\n})();\n`;
  }
  return out;
}

const uiSource = path.join(root, 'web', 'src');
if (fs.existsSync(uiSource)) {
  const ts = require('typescript');
  const modules = {};
  for (const name of fs.readdirSync(uiSource)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const source = fs.readFileSync(path.join(uiSource, name), 'utf8');
    modules[name.replace(/\.ts$/, '')] = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ES2022,
        removeComments: true,
      },
    }).outputText;
  }
  const staticOut = path.join(root, 'build', 'web', 'static');
  const app = Buffer.from(bundle(modules, 'main'));
  fs.writeFileSync(path.join(staticOut, 'app.js'), app);
  const indexPath = path.join(staticOut, 'index.html');
  const css = fs.readFileSync(path.join(staticOut, 'app.css'));
  const html = fs
    .readFileSync(indexPath, 'utf8')
    .replace('/static/app.js"', `/static/app.js?v=${version(app)}"`)
    .replace('/static/app.css"', `/static/app.css?v=${version(css)}"`);
  fs.writeFileSync(indexPath, html);
}

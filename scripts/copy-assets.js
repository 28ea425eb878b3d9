'use strict';
// Copies the files the compiled code reads at run time (the UI's static
// assets) next to it in build/, and builds the UI's script: web/src/*.ts are
// ES modules (type-checked by tsc with the rest), bundled here by esbuild into
// one file, build/web/static/app.js, so a first load costs one script request,
// not one per module. index.html gets `?v=<hash>` on its asset URLs so that
// the web function may let browsers cache them for good.
const crypto = require('crypto');
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const staticOut = path.join(root, 'build', 'web', 'static');
fs.cpSync(path.join(root, 'web', 'static'), staticOut, {recursive: true});

// One IIFE script: no module loader, no eval, no inline code, so the
// Content-Security-Policy's script-src 'self' holds. No source map: the web
// function would not serve one anyway.
esbuild.buildSync({
  entryPoints: [path.join(root, 'web', 'src', 'main.ts')],
  outfile: path.join(staticOut, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});

/** The first 12 characters of the base64url SHA-256 (functions/web agrees). */
function version(file) {
  const body = fs.readFileSync(path.join(staticOut, file));
  return crypto
    .createHash('sha256')
    .update(body)
    .digest('base64url')
    .slice(0, 12);
}

const indexPath = path.join(staticOut, 'index.html');
const html = fs.readFileSync(indexPath, 'utf8');
const stamped = html
  .replace('/static/app.js"', `/static/app.js?v=${version('app.js')}"`)
  .replace('/static/app.css"', `/static/app.css?v=${version('app.css')}"`);
// A missed stamp would quietly cost the long-lived caching: fail instead.
if (!/app\.js\?v=/.test(stamped) || !/app\.css\?v=/.test(stamped)) {
  throw new Error(
    'web/static/index.html: no /static/app.js" or /static/app.css" to stamp',
  );
}
fs.writeFileSync(indexPath, stamped);

'use strict';
// Copies the files the compiled code reads at run time (the UI's static
// assets) next to it in build/.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
for (const dir of ['web/static']) {
  const from = path.join(root, dir);
  if (fs.existsSync(from)) {
    fs.cpSync(from, path.join(root, 'build', dir), {recursive: true});
  }
}

'use strict';
/**
 * A jest transformer for the ES modules the product loads at run time
 * (@marcbachmann/cel-js). Node loads them with require() (Node >= 20.19);
 * jest's CommonJS module system cannot, so they are turned into CommonJS
 * here with esbuild.
 */
const {transformSync} = require('esbuild');

module.exports = {
  process(source, filename) {
    const {code, map} = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'node20',
      sourcefile: filename,
      sourcemap: true,
    });
    return {code, map};
  },
};

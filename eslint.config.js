'use strict';
// gts (ESLint + Prettier) with type-aware rules on: an un-awaited promise
// (a Firestore write, an IAM write) is exactly the bug no-floating-promises catches.
const ignores = require('./eslint.ignores.js');

module.exports = [
  {ignores},
  ...require('gts'),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {project: './tsconfig.json', tsconfigRootDir: __dirname},
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        {checksVoidReturn: {arguments: false}},
      ],
    },
  },
];

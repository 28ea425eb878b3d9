module.exports = ['build/', '**/node_modules/', 'coverage/', 'test-results/', '**/*.js', '**/*.mjs'];

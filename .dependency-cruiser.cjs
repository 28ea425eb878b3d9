'use strict';
/**
 * The arrows allowed between the rooms of the code (docs/architecture.md).
 * test/architecture/imports.test.ts fails on any import that breaks one, and
 * proves that each rule bites; `npm run lint:imports` prints the same report.
 */

/** Google client libraries; the functions-framework runtime is not one. */
const GOOGLE_LIBRARIES =
  '(^|node_modules/)(@google-cloud/(?!functions-framework)[^/]+|@googleapis/[^/]+|googleapis|googleapis-common|google-auth-library|gcp-metadata|google-gax)(/|$)';

/** Tests may sit beside the code they test; they are not production. */
const TESTS = '\\.test\\.ts$';

/** Modules with no I/O and no Node.js module, which web/ may bundle. */
const PURE_SHARED = [
  '^shared/api\\.ts$',
  '^shared/limits\\.ts$',
  '^shared/errors\\.ts$',
  '^shared/approvals/effective-state\\.ts$',
  '^shared/grants/effective-state\\.ts$',
  '^shared/grants/types\\.ts$',
  '^shared/approvals/types\\.ts$',
  '^shared/eligibility/entitlement-id\\.ts$',
  '^shared/eligibility/types\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'functions-only-to-shared',
      comment:
        'functions/ holds the entry points: it builds on shared/, never on the sandbox, the tests, the benchmarks or the UI.',
      severity: 'error',
      from: {path: '^functions/', pathNot: TESTS},
      to: {path: '^(sandbox|test|bench|web)/'},
    },
    {
      name: 'cli-speaks-only-the-api',
      comment:
        "cli/ is a client of the HTTP API: from the project it takes only the wire types (shared/api.ts, type-only), so it can never call the server's code directly.",
      severity: 'error',
      from: {path: '^cli/', pathNot: TESTS},
      to: {
        path: '^(functions|sandbox|test|bench|web|shared)/',
        pathNot: '^shared/api\\.ts$',
      },
    },
    {
      name: 'cli-types-only',
      comment: 'cli/ imports shared/api.ts for its types alone.',
      severity: 'error',
      from: {path: '^cli/', pathNot: TESTS},
      to: {path: '^shared/api\\.ts$', dependencyTypesNot: ['type-only']},
    },
    {
      name: 'shared-not-to-entry-points',
      comment:
        'shared/ is the domain and its adapters: it knows nothing of the entry points, the sandbox, the tests or the UI.',
      severity: 'error',
      from: {path: '^shared/', pathNot: TESTS},
      to: {path: '^(functions|sandbox|test|bench|web)/'},
    },
    {
      name: 'google-libraries-only-in-adapters',
      comment:
        'Only shared/google/ talks to Google client libraries (and shared/iap/library.ts, which loads the OAuth2 client that checks IAP signatures).',
      severity: 'error',
      from: {
        path: '^(functions|shared|web)/',
        pathNot: ['^shared/google/', '^shared/iap/library\\.ts$', TESTS],
      },
      to: {path: GOOGLE_LIBRARIES},
    },
    {
      name: 'iap-not-to-adapters',
      comment:
        'IAP verification stands apart from the Google API adapters: it reaches them through ports.',
      severity: 'error',
      from: {path: '^shared/iap/', pathNot: TESTS},
      to: {path: '^shared/google/'},
    },
    {
      name: 'no-sandbox-in-production',
      comment:
        'The fake Google Cloud and the stand-ins are for tests and npm start only.',
      severity: 'error',
      from: {path: '^(functions|shared|web)/', pathNot: TESTS},
      to: {path: '^sandbox/'},
    },
    {
      name: 'web-only-pure-shared',
      comment:
        'The UI is bundled for the browser: from shared/ it imports only the pure modules listed in .dependency-cruiser.cjs.',
      severity: 'error',
      from: {path: '^web/', pathNot: TESTS},
      to: {path: '^shared/', pathNot: PURE_SHARED},
    },
    {
      name: 'pure-shared-stays-pure',
      comment:
        'The modules the UI bundles import nothing but each other (type-only imports aside: they are erased).',
      severity: 'error',
      from: {path: PURE_SHARED},
      to: {pathNot: PURE_SHARED, dependencyTypesNot: ['type-only']},
    },
    {
      name: 'web-no-node-modules',
      comment: 'The UI runs in the browser: no Node.js module.',
      severity: 'error',
      from: {path: '^web/', pathNot: TESTS},
      to: {dependencyTypes: ['core']},
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    doNotFollow: {path: 'node_modules'},
    exclude: {path: '^build/'},
  },
};

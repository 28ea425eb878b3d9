#!/usr/bin/env node
'use strict';
/**
 * Regenerates test/deploy/gcloud-commands.json, the commands and flags that
 * the gcloud stand-in (fake-gcloud.js) accepts, from a real gcloud's `--help`
 * output. Run it after changing the gcloud commands deploy.sh uses (add the
 * new command to COMMANDS), on a machine with gcloud and its beta component:
 *
 *   node test/deploy/generate-gcloud-commands.js
 *
 * It only reads help text: no account, no network.
 */
const {execFile} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Every gcloud command deploy.sh runs (command groups, then the command). */
const COMMANDS = [
  'auth list',
  'auth application-default print-access-token',
  'billing projects describe',
  'projects describe',
  'projects get-iam-policy',
  'projects add-iam-policy-binding',
  'resource-manager folders get-iam-policy',
  'resource-manager folders add-iam-policy-binding',
  'organizations get-iam-policy',
  'organizations add-iam-policy-binding',
  'services enable',
  'beta services identity create',
  'iam service-accounts describe',
  'iam service-accounts create',
  'secrets get-iam-policy',
  'secrets add-iam-policy-binding',
  'pubsub topics describe',
  'pubsub topics create',
  'pubsub topics get-iam-policy',
  'pubsub topics add-iam-policy-binding',
  'firestore databases describe',
  'firestore databases create',
  'firestore indexes composite list',
  'firestore indexes composite create',
  'firestore fields ttls list',
  'firestore fields ttls update',
  'firestore indexes fields describe',
  'firestore indexes fields update',
  'beta run deploy',
  'run services describe',
  'scheduler jobs describe',
  'scheduler jobs create http',
  'scheduler jobs update http',
  'run services get-iam-policy',
  'run services add-iam-policy-binding',
  'beta iap web get-iam-policy',
  'beta iap web add-iam-policy-binding',
  'beta iap settings set',
  'iap web get-iam-policy',
  'iap web add-iam-policy-binding',
  'compute backend-services describe',
  'compute backend-services create',
  'compute backend-services update',
  'compute backend-services add-backend',
  'compute network-endpoint-groups describe',
  'compute network-endpoint-groups create',
  'compute url-maps import',
  'compute addresses describe',
  'compute addresses create',
  'compute ssl-certificates describe',
  'compute ssl-certificates create',
  'compute target-https-proxies describe',
  'compute target-https-proxies create',
  'compute forwarding-rules describe',
  'compute forwarding-rules create',
  'dns record-sets describe',
  'dns record-sets create',
];

/** gcloud-wide flags that take a value (the others are switches). */
const WIDE_VALUE_FLAGS = new Set([
  'access-token-file',
  'account',
  'billing-project',
  'configuration',
  'flags-file',
  'flatten',
  'format',
  'impersonate-service-account',
  'project',
  'trace-token',
  'verbosity',
]);

const OUT = path.join(__dirname, 'gcloud-commands.json');

function run(args, env) {
  return new Promise((resolve, reject) => {
    execFile(
      'gcloud',
      args,
      {env, maxBuffer: 16 * 1024 * 1024},
      (error, stdout, stderr) => {
        if (error) reject(new Error(`gcloud ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Parses one command's help text into its flags and positional arguments. */
function parseHelp(text) {
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const flags = {};
  const positionals = [];
  let variadic = false;
  let section = '';
  for (const line of lines) {
    if (/^[A-Z][A-Z ]+$/.test(line)) {
      section = line.trim();
      continue;
    }
    if (section === 'GCLOUD WIDE FLAGS') {
      for (const m of line.matchAll(/--([a-z][a-z0-9-]*)/g)) {
        flags[m[1]] = WIDE_VALUE_FLAGS.has(m[1]) ? 'value' : 'switch';
        if (m[1] === 'user-output-enabled') flags['no-user-output-enabled'] = 'switch';
      }
      continue;
    }
    if (section === 'POSITIONAL ARGUMENTS') {
      // A line that is only a name: `NAME`, `[NAME]`, `[NAME ...]`, `NAME [NAME ...]`.
      const m =
        /^ {5,7}\[?([A-Z][A-Z0-9_.-]*)(?: \[?[A-Z][A-Z0-9_.-]* ?(?:\.\.\.|…)\]?| ?(?:\.\.\.|…))?\]?\s*$/.exec(
          line,
        );
      if (m) {
        positionals.push(m[1]);
        if (/\.\.\.|…/.test(line)) variadic = true;
        continue;
      }
    }
    // Flags are defined under *FLAGS headings, and under POSITIONAL ARGUMENTS
    // when they complete a resource argument (`FIELD : --collection-group=…`).
    if (!section.endsWith('FLAGS') && section !== 'POSITIONAL ARGUMENTS') continue;
    const m = /^\s+--(\[no-\])?([a-z][a-z0-9-]*)(=)?/.exec(line);
    if (!m) continue;
    const [, negatable, name, equals] = m;
    // A flag's definition shows `--name=VALUE`; a later line of prose that
    // merely starts with `--name` must not turn it into a switch.
    if (flags[name] !== 'value') flags[name] = equals ? 'value' : 'switch';
    if (negatable) flags[`no-${name}`] = 'switch';
  }
  return {
    positionals: {names: positionals, max: variadic ? null : positionals.length},
    flags: Object.fromEntries(Object.entries(flags).sort(([a], [b]) => a.localeCompare(b))),
  };
}

async function main() {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'gcloud-help-'));
  const env = {
    ...process.env,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    PAGER: 'cat',
  };
  try {
    const version = JSON.parse(await run(['version', '--format=json'], env));
    const commands = {};
    const queue = [...COMMANDS];
    const worker = async () => {
      for (let command = queue.shift(); command; command = queue.shift()) {
        commands[command] = parseHelp(await run([...command.split(' '), '--help'], env));
        process.stderr.write(`${command}\n`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const sorted = Object.fromEntries(COMMANDS.map(c => [c, commands[c]]));
    const data = {
      generatedBy: 'test/deploy/generate-gcloud-commands.js',
      gcloudVersion: version['Google Cloud SDK'],
      commands: sorted,
    };
    fs.writeFileSync(OUT, JSON.stringify(data, null, 2) + '\n');
    process.stderr.write(`wrote ${OUT}\n`);
  } finally {
    fs.rmSync(config, {recursive: true, force: true});
  }
}

if (require.main === module) {
  main().catch(e => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}

module.exports = {parseHelp, COMMANDS};

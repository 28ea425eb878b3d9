#!/usr/bin/env node
'use strict';
/**
 * A recording stand-in for `gcloud`, put on PATH by test/deploy/deploy.test.ts.
 *
 * - Refuses (exit 2, like gcloud) any command or flag missing from
 *   gcloud-commands.json, which generate-gcloud-commands.js derives from a
 *   real gcloud's --help; flags must be written --name=value.
 * - Keeps a small model of a Google Cloud project in $FAKE_GCLOUD_STATE:
 *   `describe` answers NOT_FOUND until the matching `create` has run, a second
 *   `create` fails with ALREADY_EXISTS, and a resource that refers to another
 *   (a grant to a service account, a function given a backend service ID, a
 *   proxy given a URL map) fails unless that one exists.
 * - Appends every call, with the files it was given, to calls.jsonl.
 *
 * world.json (written by the test) describes the account and the project.
 */
const fs = require('node:fs');
const path = require('node:path');

const STATE_DIR = process.env.FAKE_GCLOUD_STATE;
if (!STATE_DIR) {
  process.stderr.write('fake gcloud: FAKE_GCLOUD_STATE is not set\n');
  process.exit(70);
}
const SPEC = JSON.parse(
  fs.readFileSync(process.env.FAKE_GCLOUD_COMMANDS || path.join(__dirname, 'gcloud-commands.json'), 'utf8'),
).commands;
const world = JSON.parse(fs.readFileSync(path.join(STATE_DIR, 'world.json'), 'utf8'));
const STATE_FILE = path.join(STATE_DIR, 'state.json');
const state = fs.existsSync(STATE_FILE)
  ? JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'))
  : {resources: {}, policies: {}, apis: [], iapAgent: false, nextId: 1};

const argv = process.argv.slice(2);
const call = {argv, command: null, effect: 'read', exit: 0, files: {}};

function finish(exit, stdout, stderr) {
  call.exit = exit;
  fs.appendFileSync(path.join(STATE_DIR, 'calls.jsonl'), JSON.stringify(call) + '\n');
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 1));
  if (stdout) process.stdout.write(stdout.endsWith('\n') ? stdout : stdout + '\n');
  if (stderr) process.stderr.write(stderr.endsWith('\n') ? stderr : stderr + '\n');
  process.exit(exit);
}
function refuse(message) {
  call.effect = 'refused';
  call.refusal = message;
  finish(2, '', `ERROR: (gcloud) ${message}`);
}
function fail(status, message) {
  finish(1, '', `ERROR: (gcloud.${(call.command || '').replace(/ /g, '.')}) ${status}: ${message}`);
}

// ---- parsing, against the list generated from the real gcloud -------------

let commandLength = 0;
for (let i = 1; i <= argv.length && !argv[i - 1].startsWith('-'); i++) {
  if (SPEC[argv.slice(0, i).join(' ')]) commandLength = i;
}
if (!commandLength) refuse(`Invalid choice: command not in gcloud-commands.json: ${argv.join(' ')}`);
call.command = argv.slice(0, commandLength).join(' ');
const spec = SPEC[call.command];
const flags = {};
const positionals = [];
for (const token of argv.slice(commandLength)) {
  if (!token.startsWith('--')) {
    positionals.push(token);
    continue;
  }
  const eq = token.indexOf('=');
  const name = token.slice(2, eq < 0 ? undefined : eq);
  const kind = spec.flags[name];
  if (!kind) refuse(`unrecognized arguments: --${name} (gcloud ${call.command})`);
  if (kind === 'value' && eq < 0) refuse(`--${name} takes a value: write --${name}=VALUE`);
  if (kind === 'switch' && eq >= 0) refuse(`--${name} is a switch and takes no value`);
  (flags[name] ??= []).push(eq < 0 ? true : token.slice(eq + 1));
}
if (spec.positionals.max !== null && positionals.length > spec.positionals.max) {
  refuse(`unrecognized arguments: ${positionals.slice(spec.positionals.max).join(' ')}`);
}
if (flags.help) finish(0, `(help for gcloud ${call.command})`, '');
const flag = name => (flags[name] ? String(flags[name][flags[name].length - 1]) : undefined);
for (const name of ['env-vars-file', 'source']) {
  const file = flag(name);
  if (file && fs.existsSync(file) && fs.statSync(file).isFile()) call.files[name] = fs.readFileSync(file, 'utf8');
}
// A settings file given as the positional argument (iap settings set).
if (/iap settings set$/.test(call.command) && positionals[0] && fs.existsSync(positionals[0])) {
  call.files['setting-file'] = fs.readFileSync(positionals[0], 'utf8');
}

// ---- output formats: the projections deploy.sh uses ------------------------

function splitTop(text, sep) {
  const parts = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}
function evaluate(resource, key) {
  let value = resource;
  for (const step of splitTop(key, '.')) {
    const call = /^([a-z]+)\((.*)\)$/.exec(step);
    if (call) {
      const arg = call[2].replace(/^["']|["']$/g, '');
      if (call[1] === 'join') value = Array.isArray(value) ? value.join(arg) : value;
      else if (call[1] === 'segment') value = String(value ?? '').split('/').at(Number(arg));
      else if (call[1] === 'list') value = Array.isArray(value) ? value.join(',') : value;
      else throw new Error(`fake gcloud: transform ${step} not modelled`);
      continue;
    }
    const field = step.replace(/\[\]$/, '');
    value = Array.isArray(value) ? value.map(v => v?.[field]).filter(v => v !== undefined) : value?.[field];
  }
  return value;
}
function show(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.map(show).join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
function flatten(rows, spec) {
  const [outer, inner] = spec.split('[].');
  return rows.flatMap(row =>
    (row[outer] || []).flatMap(item =>
      (inner ? item[inner] || [] : [item]).map(v => ({...row, [outer]: inner ? {...item, [inner]: v} : v})),
    ),
  );
}
function render(resources) {
  let rows = Array.isArray(resources) ? resources : [resources];
  if (flag('flatten')) rows = flatten(rows, flag('flatten'));
  const format = flag('format') || 'yaml';
  if (format === 'none') return '';
  if (format === 'json') return JSON.stringify(Array.isArray(resources) ? rows : rows[0], null, 2);
  const m = /^(value|csv)(?:\[[^\]]*\])?\((.*)\)$/.exec(format);
  if (!m) return rows.map(r => JSON.stringify(r)).join('\n');
  const keys = splitTop(m[2], ',');
  return rows.map(r => keys.map(k => show(evaluate(r, k))).join(m[1] === 'csv' ? ',' : '\t')).join('\n');
}

// ---- the model -------------------------------------------------------------

const project = flag('project') || (/^(billing )?projects /.test(call.command) ? positionals[0] : undefined);
const region = flag('region');
const projectInfo = world.projects?.[project];
const get = key => state.resources[key];
function put(key, resource) {
  state.resources[key] = resource;
  call.effect = 'created';
}
function describeOrNotFound(key) {
  const r = get(key);
  if (!r) fail('NOT_FOUND', `${key} was not found`);
  finish(0, render(r), '');
}
function createOnce(key, resource, requires = []) {
  for (const [need, what] of requires) if (!get(need)) fail('INVALID_ARGUMENT', `${what} ${need} does not exist`);
  if (get(key)) fail('ALREADY_EXISTS', `${key} already exists`);
  put(key, resource);
  finish(0, '', `Created [${key}].`);
}
function needProject() {
  if (!projectInfo) fail('PERMISSION_DENIED', `project ${project} not found or not accessible`);
}
function saKey(email) {
  return `serviceAccount/${email}`;
}
function memberExists(member) {
  const m = /^serviceAccount:(.+)$/.exec(member);
  if (!m) return true;
  if (/@gcp-sa-iap\.iam\.gserviceaccount\.com$/.test(m[1])) {
    return state.iapAgent && m[1] === `service-${projectInfo?.number}@gcp-sa-iap.iam.gserviceaccount.com`;
  }
  return Boolean(get(saKey(m[1])));
}
function policyResource() {
  const group = call.command.replace(/ (get|add)-iam-policy-binding$| get-iam-policy$/, '');
  switch (group) {
    case 'projects':
    case 'resource-manager folders':
    case 'organizations':
      return `${group}/${positionals[0]}`;
    case 'secrets':
      return `secret/${project}/${positionals[0]}`;
    case 'pubsub topics':
      return `topic/${project}/${positionals[0]}`;
    case 'run services':
      return `run/${project}/${region}/${positionals[0]}`;
    case 'iap web':
    case 'beta iap web': {
      const type = flag('resource-type');
      if (type === 'cloud-run') return `run/${project}/${region}/${flag('service')}`;
      if (type === 'backend-services') return `backendService/${project}/${flag('service')}`;
      return `iap/${project}/${type}`;
    }
  }
  throw new Error(`fake gcloud: no policy for ${call.command}`);
}
function mustExistForPolicy(key) {
  if (/^(run|backendService)\//.test(key) && !get(key)) fail('NOT_FOUND', `${key} was not found`);
  if (/^secret\//.test(key) && !(world.secrets || []).includes(key)) fail('NOT_FOUND', `${key} was not found`);
  if (/^topic\//.test(key) && !topicExists(key)) fail('NOT_FOUND', `${key} was not found`);
}
/** A topic created here, or one the world says exists (e.g. in another project). */
function topicExists(key) {
  return Boolean(get(key)) || (world.topics || []).includes(key);
}
function parseEnvYaml(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*): '(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/''/g, "'");
    else if (line.trim()) fail('INVALID_ARGUMENT', `env vars file: cannot read line ${line}`);
  }
  return env;
}

const name = positionals[0];
const c = call.command.replace(/^beta /, '');
const verb = c.split(' ').at(-1);

if (c === 'auth list') finish(0, world.account ? render([{account: world.account, status: 'ACTIVE'}]) : '', '');
if (c === 'auth application-default print-access-token') {
  if (!world.adcToken) finish(1, '', 'ERROR: (gcloud.auth.application-default.print-access-token) Could not automatically determine credentials.');
  finish(0, world.adcToken, '');
}
if (!world.account) fail('UNAUTHENTICATED', 'You do not currently have an active account selected.');
if (!/^(resource-manager folders|organizations) /.test(c)) needProject();

if (c === 'projects describe') finish(0, render({projectId: name, projectNumber: world.projects[name]?.number}), '');
if (c === 'billing projects describe') finish(0, render({billingEnabled: Boolean(projectInfo.billing)}), '');

if (verb === 'get-iam-policy' || verb === 'add-iam-policy-binding') {
  const key = policyResource();
  if (/^(projects|resource-manager folders|organizations)\//.test(key) && world.denyPolicyRead) {
    fail('PERMISSION_DENIED', `The caller does not have permission to read the policy of ${key}`);
  }
  mustExistForPolicy(key);
  const policy = (state.policies[key] ??= {bindings: []});
  if (verb === 'get-iam-policy') finish(0, render(policy), '');
  const member = flag('member');
  const role = flag('role');
  if (!memberExists(member)) fail('INVALID_ARGUMENT', `Principal ${member} does not exist`);
  let binding = policy.bindings.find(b => b.role === role);
  if (!binding) policy.bindings.push((binding = {role, members: []}));
  if (!binding.members.includes(member)) {
    binding.members.push(member);
    call.effect = 'created';
  }
  finish(0, '', `Updated IAM policy for ${key}.`);
}

switch (c) {
  case 'services enable':
    for (const api of positionals) {
      if (!state.apis.includes(api)) {
        state.apis.push(api);
        call.effect = 'updated';
      }
    }
    finish(0, '', 'Operation finished successfully.');
    break;
  case 'services identity create':
    if (flag('service') !== 'iap.googleapis.com') fail('INVALID_ARGUMENT', 'unexpected service');
    if (!state.iapAgent) call.effect = 'created';
    state.iapAgent = true;
    finish(0, '', `Service identity created: service-${projectInfo.number}@gcp-sa-iap.iam.gserviceaccount.com`);
    break;
  case 'iam service-accounts describe':
    describeOrNotFound(saKey(name));
    break;
  case 'iam service-accounts create': {
    const email = `${name}@${project}.iam.gserviceaccount.com`;
    createOnce(saKey(email), {email, uniqueId: String(10n ** 20n + BigInt(state.nextId++))});
    break;
  }
  case 'pubsub topics describe': {
    const key = `topic/${project}/${name}`;
    if (!topicExists(key)) fail('NOT_FOUND', `Resource not found (resource=${name}).`);
    finish(0, render({name: `projects/${project}/topics/${name}`}), '');
    break;
  }
  case 'pubsub topics create':
    if (topicExists(`topic/${project}/${name}`)) fail('ALREADY_EXISTS', `Resource already exists in the project (resource=${name}).`);
    createOnce(`topic/${project}/${name}`, {name: `projects/${project}/topics/${name}`});
    break;
  case 'firestore databases describe':
    describeOrNotFound(`firestore/${project}/${flag('database') || '(default)'}`);
    break;
  case 'firestore databases create': {
    const db = flag('database') || '(default)';
    createOnce(`firestore/${project}/${db}`, {name: `projects/${project}/databases/${db}`, locationId: flag('location')});
    break;
  }
  case 'firestore indexes composite list': {
    const db = flag('database') || '(default)';
    const prefix = `firestoreIndex/${project}/${db}/`;
    finish(0, render(Object.entries(state.resources).filter(([k]) => k.startsWith(prefix)).map(([, r]) => r)), '');
    break;
  }
  case 'firestore indexes composite create': {
    const db = flag('database') || '(default)';
    if (!get(`firestore/${project}/${db}`)) fail('NOT_FOUND', `database ${db} does not exist`);
    const fields = flags['field-config'].map(f => {
      const o = Object.fromEntries(String(f).split(',').map(p => p.split('=')));
      return {fieldPath: o['field-path'], ...(o.order ? {order: o.order.toUpperCase()} : {arrayConfig: 'CONTAINS'})};
    });
    const group = flag('collection-group');
    const key = `firestoreIndex/${project}/${db}/${group}/${fields.map(f => f.fieldPath).join(',')}`;
    if (fields.at(-1).order === 'DESCENDING') fields.push({fieldPath: '__name__', order: 'DESCENDING'});
    createOnce(key, {name: `projects/${project}/databases/${db}/collectionGroups/${group}/indexes/CICAgI${state.nextId++}`, fields});
    break;
  }
  case 'firestore fields ttls list': {
    const db = flag('database') || '(default)';
    const prefix = `firestoreTtl/${project}/${db}/`;
    finish(0, render(Object.entries(state.resources).filter(([k]) => k.startsWith(prefix)).map(([, r]) => r)), '');
    break;
  }
  case 'firestore fields ttls update': {
    const db = flag('database') || '(default)';
    if (!get(`firestore/${project}/${db}`)) fail('NOT_FOUND', `database ${db} does not exist`);
    const group = flag('collection-group');
    createOnce(`firestoreTtl/${project}/${db}/${group}/${name}`, {
      name: `projects/${project}/databases/${db}/collectionGroups/${group}/fields/${name}`,
      ttlConfig: {state: 'CREATING'},
    });
    break;
  }
  case 'firestore indexes fields describe': {
    const db = flag('database') || '(default)';
    if (!get(`firestore/${project}/${db}`)) fail('NOT_FOUND', `database ${db} does not exist`);
    const exempt = get(`firestoreExemption/${project}/${db}/${flag('collection-group')}/${name}`);
    finish(0, render({name, indexConfig: {usesAncestorConfig: !exempt, indexes: []}}), '');
    break;
  }
  case 'firestore indexes fields update': {
    const db = flag('database') || '(default)';
    if (!get(`firestore/${project}/${db}`)) fail('NOT_FOUND', `database ${db} does not exist`);
    if (!flags['disable-indexes']) fail('INVALID_ARGUMENT', 'only --disable-indexes is modelled');
    createOnce(`firestoreExemption/${project}/${db}/${flag('collection-group')}/${name}`, {name});
    break;
  }
  case 'run deploy': {
    const sa = flag('service-account');
    if (!get(saKey(sa))) fail('INVALID_ARGUMENT', `service account ${sa} does not exist`);
    if (!state.apis.includes('run.googleapis.com')) fail('PERMISSION_DENIED', 'run.googleapis.com is not enabled');
    const env = call.files['env-vars-file'] ? parseEnvYaml(call.files['env-vars-file']) : {};
    if (env.IAP_BACKEND_SERVICE_ID) {
      const known = Object.values(state.resources).some(r => r.kind === 'backendService' && r.id === env.IAP_BACKEND_SERVICE_ID);
      if (!known) fail('INVALID_ARGUMENT', `IAP_BACKEND_SERVICE_ID ${env.IAP_BACKEND_SERVICE_ID} names no backend service`);
    }
    const key = `run/${project}/${region}/${name}`;
    call.effect = get(key) ? 'updated' : 'created';
    state.resources[key] = {
      kind: 'run',
      env,
      ingress: flag('ingress') || 'all',
      iap: Boolean(flags.iap),
      status: {url: `https://${name}-${projectInfo.number}.${region}.run.app`},
    };
    finish(0, '', `Service [${name}] has been deployed.`);
    break;
  }
  case 'run services describe':
    describeOrNotFound(`run/${project}/${region}/${name}`);
    break;
  case 'iap settings set': {
    const type = flag('resource-type');
    const key =
      type === 'cloud-run'
        ? `run/${project}/${region}/${flag('service')}`
        : type === 'backend-services'
          ? `backendService/${project}/${flag('service')}`
          : undefined;
    if (!key) fail('INVALID_ARGUMENT', `resource type ${type} is not modelled`);
    if (!get(key)) fail('NOT_FOUND', `${key} was not found`);
    const yaml = fs.readFileSync(positionals[0], 'utf8');
    const clients = [...yaml.matchAll(/^\s+- (\S+)$/gm)].map(m => m[1]);
    if (!/programmaticClients:/.test(yaml) || clients.length === 0) fail('INVALID_ARGUMENT', 'no programmaticClients in the settings');
    state.resources[`iapSettings/${key}`] = {programmaticClients: clients};
    call.effect = 'updated';
    finish(0, '', `Updated IAP settings of ${key}.`);
    break;
  }
  case 'scheduler jobs describe':
    describeOrNotFound(`schedulerJob/${project}/${flag('location')}/${name}`);
    break;
  case 'scheduler jobs create http':
  case 'scheduler jobs update http': {
    if (!state.apis.includes('cloudscheduler.googleapis.com')) fail('PERMISSION_DENIED', 'cloudscheduler.googleapis.com is not enabled');
    const key = `schedulerJob/${project}/${flag('location')}/${name}`;
    const existing = get(key);
    if (verb === 'http' && c.includes('update') && !existing) fail('NOT_FOUND', `job ${name} was not found`);
    if (c.includes('create') && existing) fail('ALREADY_EXISTS', `job ${name} already exists`);
    const sa = flag('oidc-service-account-email');
    if (sa && !get(saKey(sa))) fail('INVALID_ARGUMENT', `service account ${sa} does not exist`);
    const headers = flag('headers') || flag('update-headers');
    state.resources[key] = {
      kind: 'schedulerJob',
      name: `projects/${project}/locations/${flag('location')}/jobs/${name}`,
      schedule: flag('schedule') ?? existing?.schedule,
      timeZone: flag('time-zone') ?? existing?.timeZone,
      httpTarget: {
        uri: flag('uri') ?? existing?.httpTarget.uri,
        httpMethod: flag('http-method') ?? existing?.httpTarget.httpMethod,
        body: flag('message-body') ?? existing?.httpTarget.body,
        headers: headers
          ? Object.fromEntries(headers.split(',').map(h => h.split('=')))
          : existing?.httpTarget.headers,
        oidcToken: sa
          ? {serviceAccountEmail: sa, audience: flag('oidc-token-audience')}
          : existing?.httpTarget.oidcToken,
      },
    };
    call.effect = existing ? 'updated' : 'created';
    finish(0, '', `${existing ? 'Updated' : 'Created'} job [${name}].`);
    break;
  }
  case 'compute backend-services describe':
    describeOrNotFound(`backendService/${project}/${name}`);
    break;
  case 'compute backend-services create':
    createOnce(`backendService/${project}/${name}`, {
      kind: 'backendService',
      name,
      id: String(5n * 10n ** 18n + BigInt(state.nextId++) * 7919n),
      loadBalancingScheme: flag('load-balancing-scheme'),
      backends: [],
    });
    break;
  case 'compute backend-services update': {
    const r = get(`backendService/${project}/${name}`);
    if (!r) fail('NOT_FOUND', `backend service ${name} was not found`);
    if (flag('iap')) r.iap = {enabled: flag('iap').startsWith('enabled')};
    call.effect = 'updated';
    finish(0, '', `Updated [${name}].`);
    break;
  }
  case 'compute backend-services add-backend': {
    const r = get(`backendService/${project}/${name}`);
    const negRegion = flag('network-endpoint-group-region');
    const neg = flag('network-endpoint-group');
    if (!r) fail('NOT_FOUND', `backend service ${name} was not found`);
    if (!get(`neg/${project}/${negRegion}/${neg}`)) fail('NOT_FOUND', `network endpoint group ${neg} was not found`);
    const group = `https://www.googleapis.com/compute/v1/projects/${project}/regions/${negRegion}/networkEndpointGroups/${neg}`;
    if (r.backends.some(b => b.group === group)) fail('INVALID_ARGUMENT', `Backend [${neg}] in region [${negRegion}] already exists`);
    r.backends.push({group});
    call.effect = 'updated';
    finish(0, '', `Updated [${name}].`);
    break;
  }
  case 'compute network-endpoint-groups describe':
    describeOrNotFound(`neg/${project}/${region}/${name}`);
    break;
  case 'compute network-endpoint-groups create':
    createOnce(`neg/${project}/${region}/${name}`, {name, cloudRun: {service: flag('cloud-run-service')}});
    break;
  case 'compute url-maps import': {
    const yaml = call.files.source || '';
    for (const m of yaml.matchAll(/backendServices\/([a-z0-9-]+)/g)) {
      if (!get(`backendService/${project}/${m[1]}`)) fail('INVALID_ARGUMENT', `backend service ${m[1]} does not exist`);
    }
    const key = `urlMap/${project}/${name}`;
    call.effect = get(key) ? 'updated' : 'created';
    state.resources[key] = {name, yaml};
    finish(0, '', `Imported [${name}].`);
    break;
  }
  case 'compute addresses describe':
    describeOrNotFound(`address/${project}/${name}`);
    break;
  case 'compute addresses create':
    createOnce(`address/${project}/${name}`, {name, address: '203.0.113.7'});
    break;
  case 'compute ssl-certificates describe':
    describeOrNotFound(`sslCertificate/${project}/${name}`);
    break;
  case 'compute ssl-certificates create':
    createOnce(`sslCertificate/${project}/${name}`, {name, managed: {domains: [flag('domains')], status: 'PROVISIONING'}});
    break;
  case 'compute target-https-proxies describe':
    describeOrNotFound(`targetHttpsProxy/${project}/${name}`);
    break;
  case 'compute target-https-proxies create':
    createOnce(`targetHttpsProxy/${project}/${name}`, {name}, [
      [`urlMap/${project}/${flag('url-map')}`, 'URL map'],
      [`sslCertificate/${project}/${flag('ssl-certificates')}`, 'certificate'],
    ]);
    break;
  case 'compute forwarding-rules describe':
    describeOrNotFound(`forwardingRule/${project}/${name}`);
    break;
  case 'compute forwarding-rules create':
    createOnce(`forwardingRule/${project}/${name}`, {name}, [
      [`targetHttpsProxy/${project}/${flag('target-https-proxy')}`, 'HTTPS proxy'],
      [`address/${project}/${flag('address')}`, 'address'],
    ]);
    break;
  case 'dns record-sets describe':
    describeOrNotFound(`dns/${project}/${flag('zone')}/${name}/${flag('type')}`);
    break;
  case 'dns record-sets create':
    if (!(world.dnsZones || []).includes(flag('zone'))) fail('NOT_FOUND', `managed zone ${flag('zone')} was not found`);
    createOnce(`dns/${project}/${flag('zone')}/${name}/${flag('type')}`, {name, rrdatas: flags.rrdatas});
    break;
  default:
    refuse(`fake gcloud does not model ${call.command}`);
}

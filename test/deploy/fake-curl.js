#!/usr/bin/env node
'use strict';
/**
 * A stand-in for `curl`, put on PATH by test/deploy/deploy.test.ts so that
 * deploy.sh's Admin SDK calls (the Groups Reader step) never leave the
 * machine. It models the Directory API's roles and roleassignments for the
 * admin that world.json describes (`admin: true` allows role management;
 * otherwise every call answers 403), and records each call in curl.jsonl.
 */
const fs = require('node:fs');
const path = require('node:path');

const STATE_DIR = process.env.FAKE_GCLOUD_STATE;
const world = JSON.parse(fs.readFileSync(path.join(STATE_DIR, 'world.json'), 'utf8'));
const STATE_FILE = path.join(STATE_DIR, 'admin.json');
const state = fs.existsSync(STATE_FILE) ? JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) : {assignments: []};

const args = process.argv.slice(2);
let method = 'GET';
let output = '';
let writeOut = '';
let data = '';
let url = '';
const headers = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-X') method = args[++i];
  else if (a === '-o') output = args[++i];
  else if (a === '-w') writeOut = args[++i];
  else if (a === '-H') headers.push(args[++i]);
  else if (a === '--data') data = args[++i];
  else if (a === '-sS') continue;
  else if (/^https:\/\//.test(a)) url = a;
  else {
    process.stderr.write(`fake curl: unexpected argument ${a}\n`);
    process.exit(2);
  }
}
fs.appendFileSync(path.join(STATE_DIR, 'curl.jsonl'), JSON.stringify({method, url, data, headers}) + '\n');

const BASE = 'https://admin.googleapis.com/admin/directory/v1/customer/my_customer/';
let status = 200;
let body = {};
const authorised = world.admin && headers.includes(`Authorization: Bearer ${world.adcToken}`);
if (!url.startsWith(BASE)) {
  status = 404;
} else if (!authorised) {
  status = 403;
  body = {error: {code: 403, message: 'Request had insufficient authentication scopes.'}};
} else {
  const u = new URL(url);
  const route = u.pathname.split('/').at(-1);
  if (method === 'GET' && route === 'roles') {
    body = {
      kind: 'admin#directory#roles',
      items: [
        {roleId: '11', roleName: '_SEED_ADMIN_ROLE', rolePrivileges: [{privilegeName: 'SUPER_ADMIN', serviceId: '1'}]},
        {roleId: '42', roleName: '_GROUPS_READER_ROLE', rolePrivileges: [{privilegeName: 'GROUPS_RETRIEVE', serviceId: '2'}]},
      ],
    };
  } else if (method === 'GET' && route === 'roleassignments') {
    const items = state.assignments.filter(
      a => a.roleId === u.searchParams.get('roleId') && a.assignedTo === u.searchParams.get('userKey'),
    );
    body = {kind: 'admin#directory#roleAssignments', items};
  } else if (method === 'POST' && route === 'roleassignments') {
    const assignment = JSON.parse(data);
    state.assignments.push(assignment);
    fs.writeFileSync(STATE_FILE, JSON.stringify(state));
    body = {kind: 'admin#directory#roleAssignment', ...assignment};
  } else {
    status = 404;
  }
}
if (output) fs.writeFileSync(output, JSON.stringify(body, null, 2));
else process.stdout.write(JSON.stringify(body));
if (writeOut) process.stdout.write(writeOut.replace('%{http_code}', String(status)));

/**
 * Child process of failures.test.ts: POSTs a request through the request
 * route with the store aimed at a port where nothing listens, prints
 * `{status, body, mails}` and exits without waiting for the client's retries.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {makeActivateRoutes} from '../../../functions/activate/routes';
import {makeApprovalService} from '../../../shared/approvals/service';
import {makeFirestore} from '../../../shared/google/firestore';
import {makeFirestoreGrantStore} from '../../../shared/google/firestore-grants';
import {makeFirestoreRequestStore} from '../../../shared/google/firestore-requests';
import {makeHttpFunction} from '../../../shared/http';
import {makeLogger} from '../../../shared/log';
import {makeTestIap} from '../../support/iap';
import {servicesOver} from '../../support/services';
import {
  ALICE,
  approvalEligibility,
  BOB,
  CAROL,
  REQUEST_PATH,
  requestBody,
} from '../harness';

async function main(): Promise<void> {
  // The client prefers FIRESTORE_EMULATOR_HOST to its settings: aim both at a dead port.
  process.env.FIRESTORE_EMULATOR_HOST = '127.0.0.1:1';
  const iap = await makeTestIap({
    env: {FIRESTORE_EMULATOR_HOST: '127.0.0.1:1'},
  });
  const config = iap.config;
  const log = makeLogger(() => {});
  let mails = 0;
  const approvals = makeApprovalService({
    config,
    store: makeFirestoreRequestStore({
      firestore: makeFirestore(config),
      collectionPrefix: '',
      database: config.firestore.database,
      deadlineMs: 2_000,
    }),
    grants: makeFirestoreGrantStore({
      firestore: makeFirestore(config),
      collectionPrefix: '',
      database: config.firestore.database,
      retentionDays: config.grantRetentionDays,
      deadlineMs: 2_000,
    }),
    eligibility: approvalEligibility(),
    activator: {activate: async () => {}, deactivate: async () => false},
    notifier: {
      notify: async () => {
        mails++;
        return {delivered: true};
      },
    },
    log,
  });
  functions.http(
    'down',
    makeHttpFunction({
      routes: makeActivateRoutes(servicesOver({config, approvals})),
      verifier: iap.verifier,
      log,
      rateLimitPerMinute: 0,
    }),
  );
  const res = await request(getTestServer('down'))
    .post(REQUEST_PATH)
    .set('x-goog-iap-jwt-assertion', iap.assertionFor(ALICE))
    .set('X-JIT-Access', '1')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(requestBody({reviewers: [BOB, CAROL]})));
  process.stdout.write(
    JSON.stringify({status: res.status, body: res.body, mails}) + '\n',
  );
  process.exit(0);
}

main().catch(e => {
  process.stdout.write(JSON.stringify({status: 0, crash: String(e)}) + '\n');
  process.exit(1);
});

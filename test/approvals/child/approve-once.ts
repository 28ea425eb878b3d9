/**
 * A second process for the concurrency tests: builds the real approval
 * service (Firestore store on the emulator, real activator and Resource
 * Manager adapter against the fake Google Cloud), warms its Firestore
 * connection, prints "ready", waits for "go" on stdin, approves once and
 * prints the outcome as one JSON line.
 *
 * Environment: the configuration variables, plus REQUEST_ID and REVIEWER.
 */
import * as readline from 'node:readline';
import {makeActivator} from '../../../shared/activation/activator';
import {makeApprovalService} from '../../../shared/approvals/service';
import {loadConfig} from '../../../shared/config';
import {toErrorResponse} from '../../../shared/errors';
import {makeFirestore} from '../../../shared/google/firestore';
import {makeFirestoreGrantStore} from '../../../shared/google/firestore-grants';
import {makeFirestoreRequestStore} from '../../../shared/google/firestore-requests';
import {makeProjectIamClient} from '../../../shared/google/resource-manager';
import {makeLogger} from '../../../shared/log';
import {EVERYONE, MemoryEligibility} from '../../support/memory-eligibility';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = makeLogger(() => {});
  const store = makeFirestoreRequestStore({
    firestore: makeFirestore(config),
    collectionPrefix: config.firestore.collectionPrefix,
    database: config.firestore.database,
  });
  // Everyone is MPA-eligible for the role: eligibility is not the point here.
  const eligibility = new MemoryEligibility([
    {
      project: process.env.PROJECT!,
      user: EVERYONE,
      type: 'MPA',
      role: process.env.ROLE!,
    },
  ]);
  const approvals = makeApprovalService({
    config,
    store,
    grants: makeFirestoreGrantStore({
      firestore: makeFirestore(config),
      collectionPrefix: config.firestore.collectionPrefix,
      database: config.firestore.database,
      retentionDays: config.grantRetentionDays,
    }),
    eligibility,
    activator: makeActivator({iam: makeProjectIamClient(config, log), log}),
    notifier: {notify: async () => ({delivered: true})},
    log,
  });
  const id = process.env.REQUEST_ID!;
  await store.get(id);
  process.stdout.write('ready\n');
  const lines = readline.createInterface({input: process.stdin});
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  let outcome: Record<string, unknown>;
  try {
    const r = await approvals.approve(process.env.REVIEWER!, id);
    outcome = {status: 200, state: r.state};
  } catch (e) {
    const {httpStatus, body} = toErrorResponse(e);
    outcome = {
      status: httpStatus,
      errorStatus: body.error.status,
      message: body.error.message,
    };
  }
  process.stdout.write(JSON.stringify(outcome) + '\n');
  // Do not wait for idle gRPC channels to close.
  process.exit(0);
}

main().catch(e => {
  process.stdout.write(JSON.stringify({status: 0, crash: String(e)}) + '\n');
  process.exit(1);
});

/**
 * Shared pieces of the approvals tests: a configuration aimed at the run's
 * Firestore emulator with a collection prefix of its own, and request fixtures.
 */
import {randomBytes} from 'node:crypto';
import type {Firestore} from '@google-cloud/firestore';
import {Config, loadConfig} from '../../shared/config';
import {makeFirestore} from '../../shared/google/firestore';
import {AccessRequest} from '../../shared/approvals/types';

/** Google's emulator isolates transactions; the npm fallback does not. */
export const GOOGLE_EMULATOR = process.env.FIRESTORE_EMULATOR_KIND === 'google';
export const NO_ISOLATION_REASON =
  "needs Google's Firestore emulator (transaction isolation); only the npm fallback runs here";

/** A fresh collection prefix per test file, so files never see each other's data. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}_`;
}

export function testConfig(
  env: Record<string, string | undefined> = {},
): Config {
  return loadConfig({
    GOOGLE_CLOUD_PROJECT:
      process.env.GOOGLE_CLOUD_PROJECT ?? 'jit-test-project',
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    FIRESTORE_COLLECTION_PREFIX: uniquePrefix(),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '2525',
    SMTP_ENABLE_STARTTLS: 'false',
    SMTP_SENDER_ADDRESS: 'jit@example.com',
    PUBLIC_BASE_URL: 'https://jit.example.com',
    ...env,
  });
}

export function testFirestore(config: Config): Firestore {
  return makeFirestore(config);
}

let counter = 0;
export function newRequest(
  overrides: Partial<AccessRequest> = {},
): AccessRequest {
  const created = new Date();
  counter += 1;
  return {
    id: `${randomBytes(8).toString('hex')}${counter}`,
    project: 'p1',
    role: 'roles/compute.admin',
    requester: 'alice@example.com',
    reviewers: ['bob@example.com', 'carol@example.com'],
    justification: 'case 42',
    durationMinutes: 30,
    state: 'PENDING',
    approvals: [],
    requiredApprovals: 1,
    createdAt: created.toISOString(),
    expiresAt: new Date(created.getTime() + 3600_000).toISOString(),
    ...overrides,
  };
}

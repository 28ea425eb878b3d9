/**
 * The Activator over Resource Manager (DESIGN §1): one getIamPolicy and one
 * setIamPolicy for any number of roles.
 *
 * Within this instance, calls for the same project are queued: while one
 * read-modify-write is under way, the calls that arrive wait, and are then
 * merged into the next one, so N concurrent activations cost far fewer than
 * N writes and never race each other. Each caller still learns its own
 * outcome. Across instances, a write that lost the race (ConflictError: 409
 * ABORTED or 412 on the etag) is re-read and re-applied with jittered
 * back-off, at most 6 attempts, then AbortedError "concurrent modifications".
 *
 * Signature: `makeActivator(options: ActivatorOptions): Activator`.
 */
import {AbortedError, ConflictError, InvalidArgumentError} from '../errors';
import type {Logger} from '../log';
import type {ProjectIamPort} from '../ports';
import {ActivationEdit, applyActivations} from './policy-edit';
import type {ActivationGrant, Activator} from './types';

/** What the activator writes through, and knobs tests turn (clock, pauses). */
export interface ActivatorOptions {
  iam: ProjectIamPort;
  log: Logger;
  /** Attempts per read-modify-write when writes conflict; DESIGN says 6. */
  maxAttempts?: number;
  /** The first back-off bound in ms; it doubles per attempt, up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Job extends ActivationEdit {
  resolve: () => void;
  reject: (err: unknown) => void;
}

// x-goog-request-reason is a header: keep it to a sensible size.
const MAX_REASON_LENGTH = 1024;

function requestReason(jobs: readonly Job[]): string {
  const reasons = [...new Set(jobs.map(j => j.description))];
  const joined = reasons.join('; ');
  return joined.length > MAX_REASON_LENGTH
    ? joined.slice(0, MAX_REASON_LENGTH - 1) + '…'
    : joined;
}

/**
 * Builds the instance's Activator. Build one per instance (functions/deps.ts
 * does): its per-project queue is what merges concurrent activations.
 */
export function makeActivator(options: ActivatorOptions): Activator {
  const {iam, log} = options;
  if (!iam || !log) throw new Error('makeActivator needs iam and log');
  const maxAttempts = options.maxAttempts ?? 6;
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));

  /** Calls waiting for the next write, per project; present while a write runs. */
  const queues = new Map<string, Job[]>();

  async function readModifyWrite(
    projectId: string,
    jobs: readonly Job[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const policy = await iam.getIamPolicy(projectId);
      const edited = applyActivations(policy, jobs, now());
      try {
        await iam.setIamPolicy(projectId, edited, {
          requestReason: requestReason(jobs),
        });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        if (attempt >= maxAttempts) {
          log.warn(
            `IAM policy of ${projectId} changed concurrently ${attempt} times; giving up`,
            {event: 'activation.conflict', project: projectId},
          );
          throw new AbortedError(
            `Could not activate on project ${projectId}: concurrent modifications of its IAM policy; try again`,
            {cause: err},
          );
        }
        // Equal jitter: half the bound plus a random half, so that two
        // instances that collided do not retry in step.
        const bound = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
        await sleep(bound / 2 + random() * (bound / 2));
      }
    }
  }

  async function runBatch(projectId: string, jobs: Job[]): Promise<void> {
    try {
      await readModifyWrite(projectId, jobs);
      for (const j of jobs) j.resolve();
    } catch (err) {
      // IAM refused the merged policy: find out whose part it refused, so
      // that one caller's bad grant does not fail the others.
      if (err instanceof InvalidArgumentError && jobs.length > 1) {
        for (const job of jobs) await runBatch(projectId, [job]);
        return;
      }
      for (const j of jobs) j.reject(err);
    }
  }

  async function drain(projectId: string): Promise<void> {
    for (;;) {
      const jobs = queues.get(projectId);
      if (!jobs || jobs.length === 0) {
        queues.delete(projectId);
        return;
      }
      queues.set(projectId, []);
      await runBatch(projectId, jobs);
    }
  }

  return {
    activate(
      projectId: string,
      userEmail: string,
      grants: ActivationGrant[],
      description: string,
    ): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const job: Job = {userEmail, grants, description, resolve, reject};
        const waiting = queues.get(projectId);
        if (waiting) {
          // A write is under way: join the next one.
          waiting.push(job);
          return;
        }
        queues.set(projectId, [job]);
        // drain settles every job itself and never rejects.
        void drain(projectId);
      });
    },
  };
}

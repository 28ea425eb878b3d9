/**
 * The Activator over Resource Manager (docs/design.md §1): one getIamPolicy and one
 * setIamPolicy for any number of roles.
 *
 * Within this instance, calls for the same project are queued: while one
 * read-modify-write is under way, the calls that arrive wait, and are then
 * merged into the next one, so N concurrent activations cost far fewer than
 * N writes and never race each other. Each caller still learns its own
 * outcome. Across instances, a write that lost the race (ConflictError: 409
 * ABORTED or 412 on the etag) is re-read and re-applied with jittered
 * back-off, at most 6 attempts, then AbortedError "concurrent modifications".
 * A write that went unanswered (no answer, or a 5xx, after the adapter's
 * retries) may have applied: the policy is read back, and if every binding
 * the write added is there, the write counts as done.
 *
 * Every call has an overall budget (ACTIVATION_WRITE_BUDGET_MS), counted from
 * when activate() is called, queue wait included: no read-modify-write attempt
 * and no setIamPolicy starts for a caller past its budget; that caller fails
 * with UnavailableError and is not written, while merged callers go on.
 *
 * Signature: `makeActivator(options: ActivatorOptions): Activator`.
 */
import {
  AbortedError,
  ConflictError,
  GooglePermissionError,
  InvalidArgumentError,
  OutcomeUnknownError,
  PolicyLimitError,
  UnavailableError,
} from '../errors';
import type {Logger} from '../log';
import type {IamPolicy, ProjectIamPort} from '../ports';
import {
  ActivationEdit,
  activationBinding,
  applyActivations,
  removeActivation,
  sameActivation,
} from './policy-edit';
import {
  countPrincipals,
  MAX_POLICY_PRINCIPALS,
  POLICY_PRINCIPALS_WARNING,
} from './policy-budget';
import type {ActivationGrant, Activator} from './types';

/** What the activator writes through, and knobs tests turn (clock, pauses). */
export interface ActivatorOptions {
  iam: ProjectIamPort;
  log: Logger;
  /** Attempts per read-modify-write when writes conflict (docs/design.md §1: 6). */
  maxAttempts?: number;
  /** The first back-off bound in ms; it doubles per attempt, up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Each call's overall budget in ms; ACTIVATION_WRITE_BUDGET_MS by default. */
  budgetMs?: number;
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Job extends ActivationEdit {
  /** now() in ms past which no write may start for this caller. */
  deadline: number;
  /** Set once resolve or reject has been called. */
  settled: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

// x-goog-request-reason is a header: keep it to a sensible size.
const MAX_REASON_LENGTH = 1024;

/**
 * How long after activate() is called (queue wait included) a write may still
 * start for that caller. An approval marks its request APPROVED before it
 * activates, and an APPROVED record older than 2 minutes reads as FAILED,
 * which another reviewer may retry (docs/design.md §2.1, §5): a write still running
 * then could add a second, conflicting binding. The last setIamPolicy starts
 * by 75 s, and the adapter's own deadline (DEFAULT_RETRY_POLICY.deadlineMs,
 * 30 s, shared/google/edge.ts) ends it by 105 s: before the 2 minutes, with a
 * margin for the transaction that recorded APPROVED.
 */
export const ACTIVATION_WRITE_BUDGET_MS = 75_000;

function requestReason(jobs: readonly Job[]): string {
  const reasons = [...new Set(jobs.map(j => j.description))];
  const joined = reasons.join('; ');
  return joined.length > MAX_REASON_LENGTH
    ? joined.slice(0, MAX_REASON_LENGTH - 1) + '…'
    : joined;
}

/**
 * A failure that leaves the write's outcome unknown: no answer or a 5xx
 * (UnavailableError), not a missing permission, which is definite.
 */
function isUnanswered(err: unknown): boolean {
  return (
    err instanceof UnavailableError && !(err instanceof GooglePermissionError)
  );
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
  const budgetMs = options.budgetMs ?? ACTIVATION_WRITE_BUDGET_MS;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));

  /** Calls waiting for the next write, per project; present while a write runs. */
  const queues = new Map<string, Job[]>();

  function settle(job: Job, err?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    if (err === undefined) job.resolve();
    else job.reject(err);
  }

  /**
   * Fails the callers whose budget is spent, and returns the others: the
   * only ones that may still be written.
   */
  function withinBudget(projectId: string, jobs: readonly Job[]): Job[] {
    const at = now().getTime();
    const live: Job[] = [];
    for (const job of jobs) {
      if (job.settled) continue;
      if (at < job.deadline) {
        live.push(job);
        continue;
      }
      log.warn(
        `Activation on ${projectId} ran out of time before its IAM write`,
        {event: 'activation.deadline', project: projectId},
        {budgetMs, overdueMs: at - job.deadline},
      );
      settle(
        job,
        new UnavailableError(
          'The IAM policy could not be written in time; try again',
        ),
      );
    }
    return live;
  }

  /**
   * Writes the grants of the callers still within budget; returns those it
   * wrote. The callers it drops for their budget are already failed.
   */
  async function readModifyWrite(
    projectId: string,
    jobs: readonly Job[],
  ): Promise<Job[]> {
    for (let attempt = 1; ; attempt++) {
      if (withinBudget(projectId, jobs).length === 0) return [];
      const policy = await iam.getIamPolicy(projectId);
      // The read may have taken a while: check again before writing, and
      // leave out whoever ran out of time meanwhile.
      const live = withinBudget(projectId, jobs);
      if (live.length === 0) return [];
      const edited = applyActivations(policy, live, now());
      checkBudget(projectId, edited);
      try {
        await iam.setIamPolicy(projectId, edited, {
          requestReason: requestReason(live),
        });
        return live;
      } catch (err) {
        if (isUnanswered(err)) {
          // No answer (or a 5xx): the write may have applied. Read it back
          // rather than report a failure while the bindings are in place.
          const written = await isWritten(projectId, edited, live);
          if (written === true) return live;
          if (written === undefined) {
            throw new OutcomeUnknownError(
              `The IAM policy of project ${projectId} may or may not have been written: the write went unanswered and the policy could not be read back; the activation is settled when the policy can be read again`,
              {cause: err},
            );
          }
          throw err;
        }
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

  /**
   * Refuses a policy over IAM's principal limit before it is sent, and warns
   * above 80 % of it.
   */
  function checkBudget(projectId: string, edited: IamPolicy): void {
    const count = countPrincipals(edited);
    if (count > MAX_POLICY_PRINCIPALS) {
      log.warn(
        `IAM policy of ${projectId} would hold ${count} principals, over the limit of ${MAX_POLICY_PRINCIPALS}`,
        {event: 'activation.policyLimit', project: projectId},
        {principals: count, limit: MAX_POLICY_PRINCIPALS},
      );
      throw new PolicyLimitError(
        `Could not activate on project ${projectId}: its IAM policy would hold ${count} principals, over IAM's limit of ${MAX_POLICY_PRINCIPALS} per policy (every occurrence counts); an administrator must remove bindings from the policy of projects/${projectId}`,
      );
    }
    if (count >= POLICY_PRINCIPALS_WARNING) {
      log.warn(
        `IAM policy of ${projectId} holds ${count} principals, ${Math.round((count / MAX_POLICY_PRINCIPALS) * 100)} % of the limit of ${MAX_POLICY_PRINCIPALS}`,
        {event: 'activation.policyBudget', project: projectId},
        {principals: count, limit: MAX_POLICY_PRINCIPALS},
      );
    }
  }

  /**
   * Whether every binding `edited` adds for these callers is in the policy
   * now; undefined when the policy cannot be read.
   */
  async function isWritten(
    projectId: string,
    edited: IamPolicy,
    jobs: readonly Job[],
  ): Promise<boolean | undefined> {
    let current: IamPolicy;
    try {
      current = await iam.getIamPolicy(projectId);
    } catch {
      return undefined;
    }
    const sent = edited.bindings ?? [];
    return jobs.every(job =>
      job.grants.every(grant => {
        const binding = activationBinding(
          job.userEmail,
          grant,
          job.description,
        );
        // A later caller of the same write may have replaced this one's binding.
        if (!sent.some(b => sameActivation(b, binding))) return true;
        return (current.bindings ?? []).some(b => sameActivation(b, binding));
      }),
    );
  }

  async function runBatch(projectId: string, jobs: Job[]): Promise<void> {
    try {
      const written = await readModifyWrite(projectId, jobs);
      for (const j of written) settle(j);
    } catch (err) {
      const open = jobs.filter(j => !j.settled);
      // IAM refused the merged policy, or it would be over IAM's limit: find
      // out whose part is refused, so that one caller's bad grant (or the
      // caller past the limit) does not fail the others. Each of these
      // writes checks the caller's budget again.
      if (
        (err instanceof InvalidArgumentError ||
          err instanceof PolicyLimitError) &&
        open.length > 1
      ) {
        for (const job of open) await runBatch(projectId, [job]);
        return;
      }
      for (const j of open) settle(j, err);
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

  /**
   * Removes one activation binding: read, edit, write with the etag read;
   * conflicts retried as for activations; a write that went unanswered is
   * read back. Not merged with the queue: it is rare, and the etag keeps it
   * from racing a merged write.
   */
  async function deactivate(
    projectId: string,
    userEmail: string,
    grant: ActivationGrant,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const policy = await iam.getIamPolicy(projectId);
      const edited = removeActivation(policy, userEmail, grant);
      if (!edited) return false;
      try {
        await iam.setIamPolicy(projectId, edited, {
          requestReason: `Removing the activation of ${grant.role} for ${userEmail}`,
        });
        return true;
      } catch (err) {
        if (isUnanswered(err)) {
          // The write may have applied: the binding is gone or it is not.
          let current: IamPolicy;
          try {
            current = await iam.getIamPolicy(projectId);
          } catch {
            throw new OutcomeUnknownError(
              `The binding of ${grant.role} for ${userEmail} on project ${projectId} may or may not have been removed: the write went unanswered and the policy could not be read back; try again`,
              {cause: err},
            );
          }
          if (!removeActivation(current, userEmail, grant)) return true;
          throw err;
        }
        if (!(err instanceof ConflictError)) throw err;
        if (attempt >= maxAttempts) {
          throw new AbortedError(
            `Could not remove the activation on project ${projectId}: concurrent modifications of its IAM policy; try again`,
            {cause: err},
          );
        }
        const bound = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
        await sleep(bound / 2 + random() * (bound / 2));
      }
    }
  }

  return {
    deactivate,
    activate(
      projectId: string,
      userEmail: string,
      grants: ActivationGrant[],
      description: string,
    ): Promise<void> {
      // The budget counts from now, queue wait included.
      const deadline = now().getTime() + budgetMs;
      return new Promise<void>((resolve, reject) => {
        const job: Job = {
          userEmail,
          grants,
          description,
          deadline,
          settled: false,
          resolve,
          reject,
        };
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

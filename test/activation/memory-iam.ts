/**
 * An in-memory ProjectIamPort for use-case tests of the activator: it keeps
 * one policy per project, checks the etag on write as Resource Manager does
 * (a stale etag is a ConflictError), counts calls, and can be told to fail.
 * Adapter behaviour (HTTP, headers) is tested against the fake Google Cloud.
 */
import {
  ConflictError,
  InvalidArgumentError,
  UnavailableError,
} from '../../shared/errors';
import type {IamPolicy, ProjectIamPort} from '../../shared/ports';

export class MemoryIam implements ProjectIamPort {
  readonly policies = new Map<string, IamPolicy>();
  readonly calls = {get: 0, set: 0};
  readonly reasons: Array<string | undefined> = [];
  /** setIamPolicy fails with ConflictError this many more times. */
  conflicts = 0;
  /** Pause inside each call, so that callers overlap. */
  latencyMs = 0;
  /**
   * setIamPolicy applies the write and then fails with UnavailableError this
   * many more times: a write that took effect but whose answer was lost.
   */
  lostAnswers = 0;
  /** Refuses (400) any written policy that this predicate matches. */
  refuse?: (policy: IamPolicy) => boolean;
  /** Runs between a read and the next write: a concurrent writer elsewhere. */
  beforeSet?: (projectId: string) => void;
  private counter = 0;

  seed(projectId: string, policy: IamPolicy): void {
    this.policies.set(projectId, {...policy, etag: this.nextEtag()});
  }

  private nextEtag(): string {
    return `etag-${++this.counter}`;
  }

  private async pause(): Promise<void> {
    if (this.latencyMs) await new Promise(r => setTimeout(r, this.latencyMs));
  }

  async getIamPolicy(projectId: string): Promise<IamPolicy> {
    this.calls.get++;
    await this.pause();
    const policy = this.policies.get(projectId) ?? {
      version: 1,
      etag: 'ACAB',
      bindings: [],
    };
    return structuredClone(policy);
  }

  async setIamPolicy(
    projectId: string,
    policy: IamPolicy,
    options?: {requestReason?: string},
  ): Promise<IamPolicy> {
    this.calls.set++;
    this.reasons.push(options?.requestReason);
    this.beforeSet?.(projectId);
    await this.pause();
    if (this.conflicts > 0) {
      this.conflicts--;
      throw new ConflictError('injected conflict');
    }
    const current = this.policies.get(projectId);
    if (current && current.etag !== policy.etag) {
      throw new ConflictError('stale etag');
    }
    if (this.refuse?.(policy)) {
      throw new InvalidArgumentError('refused policy');
    }
    const stored = {...structuredClone(policy), etag: this.nextEtag()};
    this.policies.set(projectId, stored);
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      throw new UnavailableError('no answer');
    }
    return structuredClone(stored);
  }
}

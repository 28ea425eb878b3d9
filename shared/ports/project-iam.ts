import type {IamPolicy} from './iam-policy';

/** Resource Manager v3 `projects.getIamPolicy` / `setIamPolicy`. */
export interface ProjectIamPort {
  /** Reads the policy at version 3. `projectId` is a project ID, not a name. */
  getIamPolicy(projectId: string): Promise<IamPolicy>;
  /**
   * Writes the policy (version 3, carrying the etag that was read). Throws
   * ConflictError on 409 ABORTED or 412. `requestReason` is sent as
   * `x-goog-request-reason`, percent-encoded to ASCII.
   */
  setIamPolicy(
    projectId: string,
    policy: IamPolicy,
    options?: {requestReason?: string},
  ): Promise<IamPolicy>;
}

/**
 * IAM policies in Google's v3 shape, as every IAM port reads and writes them.
 */

export interface IamCondition {
  title?: string;
  description?: string;
  expression: string;
}

export interface IamBinding {
  role: string;
  members: string[];
  condition?: IamCondition;
}

export interface IamPolicy {
  version?: number;
  etag?: string;
  bindings?: IamBinding[];
  /** Sent back untouched (deep-equal) on write. */
  auditConfigs?: unknown[];
}

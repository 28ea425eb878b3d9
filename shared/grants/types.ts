/**
 * Grant records (docs/grants.md): one per activation, self-approved or
 * approved by reviewers, written before the IAM write and completed after it,
 * so that no activation binding of ours exists without a record.
 */

/** Every state a grant can be in; EXPIRED is never stored, only read. */
export const GrantState = [
  'ACTIVATING',
  'ACTIVE',
  'EXPIRED',
  'REVOKED',
  'FAILED',
] as const;
export type GrantState = (typeof GrantState)[number];

/** A state as it is stored (EXPIRED is ACTIVE past its end). */
export type StoredGrantState = Exclude<GrantState, 'EXPIRED'>;

/** What happened to a grant, in its timeline and its log entries. */
export const GrantEvent = [
  'activating',
  'activated',
  'failed',
  'revoked',
  'externallyModified',
  'leftoverRemoved',
  'replaced',
] as const;
export type GrantEvent = (typeof GrantEvent)[number];

export interface TimelineEntry {
  /** RFC 3339 UTC. */
  at: string;
  /** An email, or `system` (reconciliation, the activation's own outcome). */
  actor: string;
  event: GrantEvent;
  detail?: string;
}

/** The binding written, exactly (docs/design.md §1). */
export interface GrantBinding {
  role: string;
  /** `user:<email>`. */
  member: string;
  title: string;
  expression: string;
  description: string;
}

export interface Grant {
  /** 128 random bits, base64url (as request ids). */
  id: string;
  /** The holder's email, lower-case. */
  user: string;
  project: string;
  role: string;
  resourceCondition?: string;
  /** RFC 3339 UTC, whole seconds. */
  start: string;
  end: string;
  justification: string;
  /** `self`, or the id of the request whose approval made the grant. */
  origin: string;
  /** The reviewers whose approvals made the grant (empty for `self`). */
  approvers: string[];
  binding: GrantBinding;
  state: StoredGrantState;
  /** Sticky: the binding was found missing or changed (reconciliation). */
  externallyModified?: boolean;
  /** Safe to show: why the IAM write failed. */
  error?: string;
  revokedBy?: string;
  revokeReason?: string;
  createdAt: string;
  updatedAt: string;
  /** Orders listings and pages them: `${createdAt}~${id}`. */
  sortKey: string;
  timeline: TimelineEntry[];
}

/** How long a grant record is kept after its end (Firestore TTL). */
export const DEFAULT_GRANT_RETENTION_DAYS = 400;

/**
 * Google documents that IAM may keep honouring a removed binding for a
 * while (typically 2 minutes, up to 7): said wherever access is ended.
 */
export const REVOCATION_DELAY_NOTE =
  'IAM may keep honouring the binding for a few minutes (typically 2, up to 7) after it is removed.';

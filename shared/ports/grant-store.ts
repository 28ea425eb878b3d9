/**
 * The port through which the ledger reads and changes grant records
 * (shared/google/firestore-grants.ts implements it on Firestore).
 */
import type {AppError} from '../errors';
import type {Grant, StoredGrantState} from '../grants/types';

export interface GrantQuery {
  /** Whose grants: held by `email`, approved by `email`, or anyone's (auditors). */
  as: 'holder' | 'reviewer' | 'auditor';
  email: string;
  state?: StoredGrantState;
  project?: string;
  /** Only for `auditor`: the holder. */
  user?: string;
  /** At most this many, newest first. */
  limit: number;
  /** From a previous page's `nextPageToken`. */
  pageToken?: string;
}

export interface GrantPage {
  grants: Grant[];
  /** Present when there may be more. */
  nextPageToken?: string;
}

/** A decision on a grant in a transaction: its new record, or a refusal. */
export type GrantVerdict =
  {ok: true; grant: Grant} | {ok: false; error: AppError};

export interface GrantStore {
  /** Stores new records in one batch; fails (and stores none) if any id exists. */
  createAll(grants: Grant[]): Promise<void>;
  /** Overwrites records in one batch (an activation's outcome). */
  putAll(grants: Grant[]): Promise<void>;
  get(id: string): Promise<Grant | undefined>;
  /**
   * In one transaction: re-reads the record, asks `decide` (pure; it may run
   * more than once), writes what it returns and resolves with it. A refusal
   * is thrown after the transaction has settled; an unknown id reaches
   * `decide` as undefined.
   */
  change(
    id: string,
    decide: (current: Grant | undefined) => GrantVerdict,
  ): Promise<Grant>;
  list(query: GrantQuery): Promise<GrantPage>;
  /**
   * What reconciliation looks at: every record whose window ends after
   * `since` or that changed after it.
   */
  listRecent(since: Date): Promise<Grant[]>;
}

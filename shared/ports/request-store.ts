/**
 * The port through which approvals read and change stored requests
 * (shared/google/firestore-requests.ts implements it on Firestore).
 */
import type {Verdict} from '../approvals/transition';
import type {
  AccessRequest,
  ChatStatus,
  EventStatus,
  NotificationStatus,
  RequestState,
} from '../approvals/types';

/** A stored state (EXPIRED is only ever read, never stored). */
export type StoredState = Exclude<RequestState, 'EXPIRED'>;

export interface RequestQuery {
  /** Whose requests: those the user made, or those the user reviews. */
  as: 'requester' | 'reviewer';
  email: string;
  /** Only these stored states (one query each); all when absent. */
  state?: StoredState;
  /** At most this many, newest first. */
  limit: number;
}

export interface RequestStore {
  /** Stores a new request; fails if the id exists. */
  create(request: AccessRequest): Promise<void>;
  /** The stored request, or undefined. */
  get(id: string): Promise<AccessRequest | undefined>;
  /**
   * In one transaction: re-reads the request, asks `decide` (pure; it may be
   * called more than once when the transaction is retried), writes the new
   * request when the verdict changed it, and resolves with it. A refusing
   * verdict is thrown only after the transaction has settled. An unknown id
   * reaches `decide` as undefined.
   */
  change(
    id: string,
    decide: (current: AccessRequest | undefined) => Verdict,
  ): Promise<{request: AccessRequest; activate: boolean}>;
  /** Records the outcome of the last mail, touching nothing else. */
  setNotification(id: string, status: NotificationStatus): Promise<void>;
  /** Records the outcome of the last event published, touching nothing else. */
  setEvent(id: string, status: EventStatus): Promise<void>;
  /** Records where the request's Chat cards are, touching nothing else. */
  setChat(id: string, status: ChatStatus): Promise<void>;
  /** Newest first. */
  list(query: RequestQuery): Promise<AccessRequest[]>;
  /** Up to `limit` stored requests in `state`, anyone's (reconciliation). */
  listByState(state: StoredState, limit: number): Promise<AccessRequest[]>;
}

/**
 * The pure rules of grant records (docs/grants.md): how a record is made
 * from the binding it stands for, how it moves from state to state, and how
 * it reads at a given time. No I/O here.
 */
import type {ActivationGrant} from '../activation/types';
import {parseActivation} from '../eligibility/conditions';
import type {IamBinding} from '../ports';
import {AbortedError} from '../errors';
import {newRecordId} from '../record-id';
import {effectiveGrantState} from './effective-state';
import type {
  Grant,
  GrantEvent,
  GrantState,
  StoredGrantState,
  TimelineEntry,
} from './types';

/** 128 random bits, URL-safe: the format of request ids too (record-id.ts). */
export function newGrantId(): string {
  return newRecordId();
}

/** The binding the grant's activation wrote, as IAM holds it. */
export function grantBinding(grant: Grant): IamBinding {
  const b = grant.binding;
  return {
    role: b.role,
    members: [b.member],
    condition: {
      title: b.title,
      expression: b.expression,
      description: b.description,
    },
  };
}

/**
 * The activation the grant wrote, as the activator names it (to remove its
 * binding): its window as written, whatever `end` reads since.
 */
export function grantActivation(grant: Grant): ActivationGrant {
  const written = parseActivation(grantBinding(grant).condition);
  return {
    role: grant.role,
    ...(grant.resourceCondition === undefined
      ? {}
      : {resourceCondition: grant.resourceCondition}),
    start: written?.start ?? new Date(grant.start),
    end: written?.end ?? new Date(grant.end),
  };
}

/** What a grant is made of before it is written. */
export interface GrantDraft {
  user: string;
  project: string;
  role: string;
  resourceCondition?: string;
  start: Date;
  end: Date;
  justification: string;
  origin: string;
  approvers: string[];
  /** The one-member binding the activation writes. */
  binding: IamBinding;
}

/** A new ACTIVATING record for one binding about to be written. */
export function newGrant(
  draft: GrantDraft,
  id: string,
  at: Date,
  actor: string,
): Grant {
  const createdAt = at.toISOString();
  const condition = draft.binding.condition!;
  return {
    id,
    user: draft.user,
    project: draft.project,
    role: draft.role,
    ...(draft.resourceCondition === undefined
      ? {}
      : {resourceCondition: draft.resourceCondition}),
    start: draft.start.toISOString(),
    end: draft.end.toISOString(),
    justification: draft.justification,
    origin: draft.origin,
    approvers: draft.approvers,
    binding: {
      role: draft.binding.role,
      member: draft.binding.members[0]!,
      title: condition.title ?? '',
      expression: condition.expression,
      description: condition.description ?? '',
    },
    state: 'ACTIVATING',
    createdAt,
    updatedAt: createdAt,
    sortKey: `${createdAt}~${id}`,
    timeline: [{at: createdAt, actor, event: 'activating'}],
  };
}

/** The grant with one more timeline entry and the changes given. */
export function record(
  grant: Grant,
  entry: {at: Date; actor: string; event: GrantEvent; detail?: string},
  changes: Partial<Grant> = {},
): Grant {
  const at = entry.at.toISOString();
  const line: TimelineEntry = {
    at,
    actor: entry.actor,
    event: entry.event,
    ...(entry.detail === undefined ? {} : {detail: entry.detail}),
  };
  return {
    ...grant,
    ...changes,
    updatedAt: at,
    timeline: [...grant.timeline, line],
  };
}

export {effectiveGrantState};

/** The grant as an API answers it: its state as read at `now`. */
export function asReadGrant(grant: Grant, now: Date): Grant {
  const state = effectiveGrantState(grant, now);
  return state === grant.state
    ? grant
    : {...grant, state: state as StoredGrantState};
}

/** The record of a write that landed (ACTIVATING → ACTIVE). */
export function activated(grant: Grant, at: Date, actor = 'system'): Grant {
  return record(grant, {at, actor, event: 'activated'}, {state: 'ACTIVE'});
}

/** The record of a write that definitely did not land (ACTIVATING → FAILED). */
export function failed(
  grant: Grant,
  error: string,
  at: Date,
  actor = 'system',
): Grant {
  return record(
    grant,
    {at, actor, event: 'failed', detail: error},
    {state: 'FAILED', error},
  );
}

/**
 * ACTIVE → REVOKED, or a 409 naming the state that forbids it (the caller
 * has removed the binding already, or found none).
 */
export function revoked(
  grant: Grant,
  by: string,
  reason: string | undefined,
  at: Date,
): Grant {
  const state = effectiveGrantState(grant, at);
  if (state !== 'ACTIVE') {
    throw new AbortedError(revokeRefusal(grant, state));
  }
  return record(
    grant,
    {
      at,
      actor: by,
      event: 'revoked',
      ...(reason === undefined ? {} : {detail: reason}),
    },
    {
      state: 'REVOKED',
      revokedBy: by,
      ...(reason === undefined ? {} : {revokeReason: reason}),
    },
  );
}

/** Why a grant in `state` cannot be revoked. */
export function revokeRefusal(grant: Grant, state: GrantState): string {
  switch (state) {
    case 'EXPIRED':
      return `Grant ${grant.id} has already expired (at ${grant.end}); there is nothing to end`;
    case 'REVOKED':
      return `Grant ${grant.id} has already been revoked${grant.revokedBy ? ` by ${grant.revokedBy}` : ''}`;
    case 'FAILED':
      return `Grant ${grant.id} was never active: its IAM write failed`;
    case 'ACTIVATING':
      return `Grant ${grant.id} is still being activated; try again in a minute`;
    default:
      return `Grant ${grant.id} cannot be revoked in state ${state}`;
  }
}

/**
 * Grant records for the ledger's tests, made the way the ledger makes them
 * (newGrant over the binding the activator writes).
 */
import {activationBinding} from '../../shared/activation/policy-edit';
import {activated, newGrant, newGrantId} from '../../shared/grants/ledger';
import type {Grant} from '../../shared/grants/types';

export interface GrantFixture {
  user?: string;
  project?: string;
  role?: string;
  start?: Date;
  minutes?: number;
  origin?: string;
  approvers?: string[];
  createdAt?: Date;
  /** ACTIVATING when false; ACTIVE by default. */
  active?: boolean;
}

export function grantFixture(f: GrantFixture = {}): Grant {
  const user = f.user ?? 'alice@example.com';
  const start = f.start ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const end = new Date(start.getTime() + (f.minutes ?? 60) * 60_000);
  const role = f.role ?? 'roles/compute.admin';
  const description =
    f.origin && f.origin !== 'self'
      ? `Approved by ${(f.approvers ?? ['bob@example.com']).join(', ')}, justification: case 1`
      : 'Self-approved, justification: case 1';
  const g = newGrant(
    {
      user,
      project: f.project ?? 'p1',
      role,
      start,
      end,
      justification: 'case 1',
      origin: f.origin ?? 'self',
      approvers: f.approvers ?? [],
      binding: activationBinding(user, {role, start, end}, description),
    },
    newGrantId(),
    f.createdAt ?? start,
    user,
  );
  return f.active === false ? g : activated(g, f.createdAt ?? start);
}

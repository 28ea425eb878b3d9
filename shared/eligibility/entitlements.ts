/**
 * The pure heart of both catalogs: from bindings already fetched, the
 * caller's entitlements on one project (docs/design.md §1). No I/O here, so the
 * benchmark can time exactly this.
 */
import type {IamBinding} from '../ports';
import {formatTimestamp, parseActivation, parseEligibility} from './conditions';
import {entitlementKey} from './entitlement-ref';
import type {
  ActivationType,
  Entitlement,
  EntitlementId,
  EntitlementSet,
} from './types';
import type {Applicability} from './principals';

/** A binding and the full resource name of the resource it is attached to. */
export interface LocatedBinding {
  binding: IamBinding;
  resource: string;
}

/** What computeEntitlements reads: everything is fetched beforehand. */
export interface EntitlementInput {
  /** Bindings of the project and its ancestors that may make the caller eligible. */
  bindings: Iterable<LocatedBinding>;
  /** Whether a binding's members cover the caller. */
  applies(binding: IamBinding): Applicability;
  /** The project's own bindings: where activations live. */
  projectBindings: Iterable<IamBinding>;
  userEmail: string;
  now: Date;
}

/** A warning for an eligible binding that names everyone. */
export function publicBindingWarning(
  binding: IamBinding,
  resource: string,
): string {
  return (
    `Ignored the eligible binding for ${binding.role} on ${resource}: ` +
    'it names allUsers or allAuthenticatedUsers; name users, groups or domains instead'
  );
}

/**
 * The caller's activations on the project that have not expired at `now`,
 * by entitlement key, with the latest end.
 */
export function activeActivations(
  projectBindings: Iterable<IamBinding>,
  userEmail: string,
  now: Date,
): Map<string, Date> {
  const member = `user:${userEmail.toLowerCase()}`;
  const active = new Map<string, Date>();
  for (const binding of projectBindings) {
    if (!binding.condition) continue;
    if (!binding.members.some(m => m.toLowerCase() === member)) continue;
    const activation = parseActivation(binding.condition);
    if (!activation) continue;
    const end = activation.end;
    if (!(end.getTime() > now.getTime())) continue;
    const key = entitlementKey({
      role: binding.role,
      resourceCondition: activation.resourceCondition,
    });
    const known = active.get(key);
    if (!known || known < end) active.set(key, end);
  }
  return active;
}

/**
 * The caller's entitlements: eligible bindings that apply to them (JIT over
 * MPA for the same role and resource condition), marked ACTIVE where an
 * unexpired activation exists, sorted by role then resource condition.
 * Eligible bindings on allUsers / allAuthenticatedUsers become warnings.
 */
export function computeEntitlements(input: EntitlementInput): EntitlementSet {
  const eligible = new Map<
    string,
    {role: string; resourceCondition?: string; type: ActivationType}
  >();
  const warnings = new Set<string>();
  for (const {binding, resource} of input.bindings) {
    // Cheap checks first: most bindings carry no condition at all.
    if (!binding.condition) continue;
    const applies = input.applies(binding);
    if (applies === 'none') continue;
    const parsed = parseEligibility(binding.condition);
    if (!parsed) continue;
    if (applies === 'public') {
      warnings.add(publicBindingWarning(binding, resource));
      continue;
    }
    const id = {
      role: binding.role,
      resourceCondition: parsed.resourceCondition,
    };
    const key = entitlementKey(id);
    const known = eligible.get(key);
    if (!known || (known.type === 'MPA' && parsed.activationType === 'JIT')) {
      eligible.set(key, {...id, type: parsed.activationType});
    }
  }

  const active = activeActivations(
    input.projectBindings,
    input.userEmail,
    input.now,
  );
  const entitlements: Entitlement[] = [];
  for (const [key, e] of eligible) {
    const end = active.get(key);
    const entitlement: Entitlement = {
      role: e.role,
      activationType: e.type,
      status: end ? 'ACTIVE' : 'ELIGIBLE',
    };
    if (e.resourceCondition !== undefined) {
      entitlement.resourceCondition = e.resourceCondition;
    }
    if (end) entitlement.validUntil = formatTimestamp(end);
    entitlements.push(entitlement);
  }
  entitlements.sort(compareEntitlements);
  return {entitlements, warnings: [...warnings]};
}

/** Orders entitlements by role, then resource condition (none first). */
export function compareEntitlements(a: EntitlementId, b: EntitlementId) {
  if (a.role !== b.role) return a.role < b.role ? -1 : 1;
  const ac = a.resourceCondition ?? '';
  const bc = b.resourceCondition ?? '';
  return ac === bc ? 0 : ac < bc ? -1 : 1;
}

/**
 * The bindings that make their members MPA-eligible for exactly this
 * entitlement (same role, same resource condition).
 */
export function mpaBindingsFor(
  bindings: Iterable<IamBinding>,
  entitlement: EntitlementId,
): IamBinding[] {
  const found: IamBinding[] = [];
  for (const binding of bindings) {
    if (binding.role !== entitlement.role || !binding.condition) continue;
    const parsed = parseEligibility(binding.condition);
    if (
      parsed?.activationType === 'MPA' &&
      parsed.resourceCondition === entitlement.resourceCondition
    ) {
      found.push(binding);
    }
  }
  return found;
}

/**
 * Whether a binding that covers the user (`applies` says 'caller') makes them
 * MPA-eligible for exactly this entitlement, whatever JIT bindings they also
 * hold: the reviewer test, and what listPeers lists.
 */
export function holdsMpaBinding(
  bindings: Iterable<IamBinding>,
  applies: (binding: IamBinding) => Applicability,
  entitlement: EntitlementId,
): boolean {
  return mpaBindingsFor(bindings, entitlement).some(
    b => applies(b) === 'caller',
  );
}

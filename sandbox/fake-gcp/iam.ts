/**
 * IAM policies of the world: reading with etags, the rules a write must obey
 * (https://cloud.google.com/iam/docs/policies#versions,
 * https://cloud.google.com/iam/docs/reference/rest/v1/Policy), and the 403 in
 * the shape Google answers it.
 */
import {createHash} from 'crypto';
import type {FakeGoogleCloud, FakeResponse} from './server';
import {googleError} from './server';
import type {World, WorldBinding, WorldPolicy} from './world';

let serial = 0;

/** A fresh etag: Google's are opaque base64 strings that change on every write. */
function newEtag(seed: string): string {
  serial += 1;
  return createHash('sha1')
    .update(`${seed}#${serial}#${Date.now()}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** The stored policy of a canonical resource name, an etag assigned if it had none. */
export function storedPolicy(world: World, name: string): WorldPolicy {
  world.policies ??= {};
  const policy = (world.policies[name] ??= {});
  policy.etag ??= newEtag(name);
  return policy;
}

export function hasConditions(policy: WorldPolicy): boolean {
  return (policy.bindings ?? []).some(b => b.condition !== undefined);
}

/**
 * The policy as `getIamPolicy` answers for the requested version. Below
 * version 3, a conditional binding is not hidden but disguised as Google
 * does: its condition dropped and `_withcond_<hash>` appended to the role.
 */
export function policyForVersion(
  policy: WorldPolicy,
  requested: number,
): WorldPolicy {
  const conditional = hasConditions(policy);
  const bindings = structuredClone(policy.bindings ?? []);
  const out: WorldPolicy = {
    version: conditional ? (requested >= 3 ? 3 : 1) : (policy.version ?? 1),
    etag: policy.etag,
  };
  if (bindings.length) {
    out.bindings =
      conditional && requested < 3
        ? bindings.map(b =>
            b.condition
              ? {
                  role: `${b.role}_withcond_${createHash('sha1').update(b.condition.expression).digest('hex').slice(0, 20)}`,
                  members: b.members,
                }
              : b,
          )
        : bindings;
  }
  if (policy.auditConfigs?.length) {
    out.auditConfigs = structuredClone(policy.auditConfigs);
  }
  return out;
}

const MEMBER =
  /^(user|group|serviceAccount|domain|deleted:user|deleted:group|deleted:serviceAccount):[^\s:]+(\?uid=\d+)?$|^(allUsers|allAuthenticatedUsers)$|^principal(Set)?:\/\/\S+$|^projectOwner:|^projectEditor:|^projectViewer:/;
const ROLE =
  /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;

/** IAM's limit on principals in one policy, counted per binding membership. */
export const MAX_PRINCIPALS = 1500;

/**
 * Checks a policy as IAM checks a write; returns the normalised bindings
 * (duplicates of one role and condition merged, empty ones dropped) or the
 * 400 Google would answer.
 */
export function validatePolicy(
  policy: WorldPolicy,
): {bindings: WorldBinding[]} | {error: FakeResponse} {
  const version = policy.version ?? 1;
  if (![0, 1, 3].includes(version)) {
    return {
      error: googleError(
        400,
        `Invalid IAM policy version ${version}; valid versions are 1 and 3.`,
      ),
    };
  }
  const merged = new Map<string, WorldBinding>();
  let principals = 0;
  for (const b of policy.bindings ?? []) {
    if (typeof b.role !== 'string' || !ROLE.test(b.role)) {
      return {
        error: googleError(
          400,
          `Role ${JSON.stringify(b.role)} is not a valid role name.`,
        ),
      };
    }
    for (const m of b.members ?? []) {
      if (typeof m !== 'string' || !MEMBER.test(m)) {
        return {
          error: googleError(
            400,
            `Invalid principal ${JSON.stringify(m)} in the binding for ${b.role}.`,
          ),
        };
      }
    }
    if (b.condition !== undefined) {
      if (version < 3) {
        return {
          error: googleError(
            400,
            `Invalid argument: Policy version ${version} cannot contain conditional role bindings (role ${b.role}); set the policy version to 3.`,
          ),
        };
      }
      if (!b.condition.expression?.trim()) {
        return {
          error: googleError(
            400,
            `The condition of the binding for ${b.role} has no expression.`,
          ),
        };
      }
      if (!b.condition.title?.trim()) {
        return {
          error: googleError(
            400,
            `The condition of the binding for ${b.role} has no title; a title is required.`,
          ),
        };
      }
      if (
        b.condition.title.length > 100 ||
        (b.condition.description ?? '').length > 256
      ) {
        return {
          error: googleError(
            400,
            `The condition title (100) or description (256 characters) of the binding for ${b.role} is too long.`,
          ),
        };
      }
    }
    const key = JSON.stringify([b.role, b.condition ?? null]);
    const into = merged.get(key);
    const members = [...new Set(b.members ?? [])];
    if (into) {
      into.members = [...new Set([...into.members, ...members])];
    } else if (members.length) {
      merged.set(key, {
        role: b.role,
        members,
        ...(b.condition ? {condition: b.condition} : {}),
      });
    }
  }
  for (const b of merged.values()) principals += b.members.length;
  if (principals > MAX_PRINCIPALS) {
    return {
      error: googleError(
        400,
        `The number of members in the policy (${principals}) is larger than the maximum allowed size ${MAX_PRINCIPALS}.`,
      ),
    };
  }
  return {bindings: [...merged.values()]};
}

/**
 * Applies a validated write; `fields` is the update mask (Resource Manager
 * defaults it to `bindings,etag`, so audit configs change only when named).
 */
export function writePolicy(
  world: World,
  name: string,
  bindings: WorldBinding[],
  incoming: WorldPolicy,
  fields: string[],
): WorldPolicy {
  const current = storedPolicy(world, name);
  const next: WorldPolicy = {
    version: bindings.some(b => b.condition)
      ? 3
      : (incoming.version ?? current.version ?? 1),
    etag: newEtag(name),
    bindings: fields.includes('bindings') ? bindings : current.bindings,
    auditConfigs: fields.includes('auditConfigs')
      ? structuredClone(incoming.auditConfigs)
      : current.auditConfigs,
  };
  if (!next.bindings?.length) delete next.bindings;
  if (!next.auditConfigs?.length) delete next.auditConfigs;
  world.policies![name] = next;
  return next;
}

/** True when `world.deniedPermissions` names the permission. */
export function denied(fake: FakeGoogleCloud, permission: string): boolean {
  return fake.world.deniedPermissions?.includes(permission) ?? false;
}

/**
 * Google's 403 for a missing permission, in the newer shape with ErrorInfo
 * (https://cloud.google.com/apis/design/errors#error_info). Resource Manager
 * answers the same for a resource that does not exist.
 */
export function permissionDenied(
  permission: string,
  resource: string,
  domain: string,
): FakeResponse {
  return googleError(
    403,
    `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`,
    {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain,
          metadata: {permission, resource},
        },
      ],
    },
  );
}

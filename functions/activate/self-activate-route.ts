/**
 * `POST /api/projects/{project}/roles/self-activate` (DESIGN §2.1):
 * `{roles: [entitlement, …], justification, durationMinutes}` →
 * `{activations: [{role, resourceCondition?, project, start, end}]}`.
 *
 * Every entitlement must be JIT-eligible for the caller, or the answer is 403
 * naming it and nothing is written. Each call is the audit event
 * `api.activateRole` with user, project, entitlements, justification, start,
 * end and outcome, refusals included.
 */
import {z} from 'zod';
import {
  checkDurationMinutes,
  checkJustification,
  checkProjectId,
} from '../../shared/activation/input-checks';
import type {ActivationGrant, Activator} from '../../shared/activation/types';
import type {Config} from '../../shared/config';
import {formatTimestamp} from '../../shared/eligibility/conditions';
import {
  describeEntitlement,
  entitlementKey,
  EntitlementRef,
  parseEntitlementRef,
  resolveEntitlement,
} from '../../shared/eligibility/entitlement-ref';
import type {EligibilityService} from '../../shared/eligibility/types';
import {
  AppError,
  InvalidArgumentError,
  PermissionDeniedError,
} from '../../shared/errors';
import {parseBody, Route, RouteContext} from '../../shared/http';

export interface SelfActivateDeps {
  config: Pick<Config, 'activation' | 'justification'>;
  eligibility: EligibilityService;
  activator: Activator;
  now?: () => Date;
}

const Body = z.strictObject({
  roles: z.array(z.unknown()),
  justification: z.unknown().optional(),
  durationMinutes: z.unknown().optional(),
});

interface SelfActivateInput {
  refs: EntitlementRef[];
  justification: string;
  durationMinutes: number;
}

function parseInput(
  body: unknown,
  config: SelfActivateDeps['config'],
): SelfActivateInput {
  const {roles, justification, durationMinutes} = parseBody(
    Body,
    body,
    '{roles: [role or {role, resourceCondition}], justification, durationMinutes}',
  );
  const max = config.activation.maxRoles;
  if (roles.length < 1 || roles.length > max) {
    throw new InvalidArgumentError(
      `roles must list from 1 to ${max} entitlements`,
    );
  }
  const refs = roles.map((r, i) => parseEntitlementRef(r, `roles[${i}]`));
  const seen = new Set<string>();
  for (const ref of refs) {
    const key = JSON.stringify([
      ref.role,
      ref.resourceCondition,
      ref.byRoleOnly,
    ]);
    if (seen.has(key)) {
      throw new InvalidArgumentError(
        `roles lists ${describeEntitlement(ref)} more than once`,
      );
    }
    seen.add(key);
  }
  return {
    refs,
    justification: checkJustification(justification, config),
    durationMinutes: checkDurationMinutes(durationMinutes, config),
  };
}

function outcomeOf(err: unknown): string {
  return err instanceof AppError ? err.status : 'INTERNAL';
}

/** The description every self-approved activation binding carries. */
export function selfApprovedDescription(justification: string): string {
  return `Self-approved, justification: ${justification}`;
}

/** Builds the self-activation route; checks its dependencies once. */
export function makeSelfActivateRoute(deps: SelfActivateDeps): Route {
  const {config, eligibility, activator} = deps;
  if (!config || !eligibility || !activator) {
    throw new Error(
      'the self-activate route needs config, eligibility and activator',
    );
  }
  const now = deps.now ?? (() => new Date());

  async function activate(
    ctx: RouteContext,
    project: string,
    audit: Record<string, string>,
  ) {
    const input = parseInput(ctx.body, config);
    audit.justification = input.justification;
    audit.entitlements = input.refs.map(describeEntitlement).join(', ');

    const {entitlements} = await eligibility.listEntitlements(
      ctx.user.email,
      project,
    );
    const resolved = input.refs.map(ref =>
      resolveEntitlement(ref, entitlements, project),
    );
    const keys = new Set<string>();
    for (const e of resolved) {
      if (e.activationType !== 'JIT') {
        throw new PermissionDeniedError(
          `You are not eligible to self-activate ${describeEntitlement(e)} on project ${project}: it needs approval (request it instead)`,
        );
      }
      if (keys.has(entitlementKey(e))) {
        throw new InvalidArgumentError(
          `roles lists ${describeEntitlement(e)} more than once`,
        );
      }
      keys.add(entitlementKey(e));
    }
    audit.entitlements = resolved.map(describeEntitlement).join(', ');

    // Whole seconds, so that the answer and the IAM condition agree exactly.
    const start = new Date(Math.floor(now().getTime() / 1000) * 1000);
    const end = new Date(start.getTime() + input.durationMinutes * 60_000);
    audit.start = formatTimestamp(start);
    audit.end = formatTimestamp(end);
    const grants: ActivationGrant[] = resolved.map(e => ({
      role: e.role,
      ...(e.resourceCondition === undefined
        ? {}
        : {resourceCondition: e.resourceCondition}),
      start,
      end,
    }));
    await activator.activate(
      project,
      ctx.user.email,
      grants,
      selfApprovedDescription(input.justification),
    );
    return grants.map(g => ({
      role: g.role,
      ...(g.resourceCondition === undefined
        ? {}
        : {resourceCondition: g.resourceCondition}),
      project,
      start: formatTimestamp(g.start),
      end: formatTimestamp(g.end),
    }));
  }

  return {
    method: 'POST',
    path: '/api/projects/{project}/roles/self-activate',
    handle: async ctx => {
      const project = checkProjectId(ctx.params['project']);
      const audit: Record<string, string> = {
        event: 'api.activateRole',
        user: ctx.user.email,
        project,
      };
      try {
        const activations = await activate(ctx, project, audit);
        ctx.log.notice(`api.activateRole: ${ctx.user.email} on ${project}`, {
          ...audit,
          outcome: 'activated',
        });
        return {body: {activations}};
      } catch (err) {
        ctx.log.notice(
          `api.activateRole: ${ctx.user.email} on ${project} refused`,
          {...audit, outcome: outcomeOf(err)},
        );
        throw err;
      }
    },
  };
}

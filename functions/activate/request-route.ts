/**
 * `POST /api/projects/{project}/roles/request` (DESIGN §2.1):
 * `{role, resourceCondition?, justification, durationMinutes, reviewers}` →
 * 201 `Request`. The checks on eligibility and reviewers, the store and the
 * mail are shared/approvals/service.ts; this parses the body.
 */
import {z} from 'zod';
import {
  checkDurationMinutes,
  checkJustification,
  checkProjectId,
} from '../../shared/activation/input-checks';
import type {ApprovalService} from '../../shared/approvals/service';
import type {Config} from '../../shared/config';
import {entitlementRefOf} from '../../shared/eligibility/entitlement-ref';
import {InvalidArgumentError} from '../../shared/errors';
import {parseBody, Route} from '../../shared/http';
import type {Deps} from '../deps';

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

const Body = z.strictObject({
  role: z.unknown(),
  resourceCondition: z.unknown().optional(),
  justification: z.unknown(),
  durationMinutes: z.unknown(),
  reviewers: z.unknown(),
});

function parseReviewers(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      'reviewers must be a list of email addresses',
    );
  }
  return value.map((r, i) => {
    if (typeof r !== 'string' || r.length > 254 || !EMAIL.test(r.trim())) {
      throw new InvalidArgumentError(
        `reviewers[${i}]: ${typeof r === 'string' ? JSON.stringify(r.slice(0, 100)) : 'it'} is not an email address`,
      );
    }
    return r.trim().toLowerCase();
  });
}

/** The route over an approval service (tests build it over their own). */
export function makeRequestRouteOver(options: {
  config: Pick<Config, 'activation' | 'justification'>;
  approvals: () => ApprovalService;
}): Route {
  return {
    method: 'POST',
    path: '/api/projects/{project}/roles/request',
    async handle({params, body, user}) {
      const project = checkProjectId(params.project);
      const b = parseBody(
        Body,
        body,
        '{role, resourceCondition?, justification, durationMinutes, reviewers}',
      );
      const request = await options.approvals().create(user.email, {
        project,
        entitlement: entitlementRefOf(b.role, b.resourceCondition),
        justification: checkJustification(b.justification, options.config),
        durationMinutes: checkDurationMinutes(
          b.durationMinutes,
          options.config,
        ),
        reviewers: parseReviewers(b.reviewers),
      });
      return {status: 201, body: request};
    },
  };
}

/** `POST …/roles/request`, wired to the instance's approval service. */
export function makeRequestRoute(deps: Deps): Route {
  return makeRequestRouteOver({config: deps.config, approvals: deps.approvals});
}

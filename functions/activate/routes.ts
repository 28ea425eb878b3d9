/**
 * The routes of `activate` (docs/design.md §2.1): self-approved activation
 * and requests for approval. Each parses its body, calls the use case and
 * answers its result; the rules live in shared/activation/self-activation.ts
 * and shared/approvals/service.ts.
 */
import {checkProjectId} from '../../shared/activation/input-checks';
import type {AccessRequest, SelfActivateResponse} from '../../shared/api';
import {
  fieldsOf,
  RequestRoleBodySchema,
  SelfActivateBodySchema,
} from '../../shared/api-schemas';
import {
  entitlementRefOf,
  parseEntitlementRef,
} from '../../shared/eligibility/entitlement-ref';
import {InvalidArgumentError} from '../../shared/errors';
import {parseBody, type Route} from '../../shared/http';
import {isValidEmail} from '../../shared/limits';
import type {Services} from '../services';

// The fields of the API's schemas (shared/api-schemas.ts, which the OpenAPI
// document is generated from); the use cases check the values.
const SelfActivateBody = fieldsOf(SelfActivateBodySchema);
const RequestBody = fieldsOf(RequestRoleBodySchema);

function parseReviewers(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      'reviewers must be a list of email addresses',
    );
  }
  return value.map((r, i) => {
    if (typeof r !== 'string' || !isValidEmail(r.trim())) {
      throw new InvalidArgumentError(
        `reviewers[${i}]: ${typeof r === 'string' ? JSON.stringify(r.slice(0, 100)) : 'it'} is not an email address`,
      );
    }
    return r.trim().toLowerCase();
  });
}

/** `POST …/roles/self-activate` and `POST …/roles/request`. */
export function makeActivateRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/projects/{project}/roles/self-activate',
      async handle({params, body, user}) {
        const project = checkProjectId(params['project']);
        const b = parseBody(
          SelfActivateBody,
          body,
          '{roles: [role or {role, resourceCondition}], justification, durationMinutes}',
        );
        const selfActivation = await services.selfActivation();
        // The use case checks justification and duration, whatever their type.
        const activations = await selfActivation.activate(user.email, {
          project,
          entitlements: (b.roles as unknown[]).map((r, i) =>
            parseEntitlementRef(r, `roles[${i}]`),
          ),
          justification: b.justification as string,
          durationMinutes: b.durationMinutes as number,
        });
        return {body: {activations} satisfies SelfActivateResponse};
      },
    },
    {
      method: 'POST',
      path: '/api/projects/{project}/roles/request',
      async handle({params, body, user}) {
        const project = checkProjectId(params['project']);
        const b = parseBody(
          RequestBody,
          body,
          '{role, resourceCondition?, justification, durationMinutes, reviewers}',
        );
        const approvals = await services.approvals();
        const request = await approvals.create(user.email, {
          project,
          entitlement: entitlementRefOf(b.role, b.resourceCondition),
          justification: b.justification as string,
          durationMinutes: b.durationMinutes as number,
          reviewers: parseReviewers(b.reviewers),
        });
        return {status: 201, body: request satisfies AccessRequest};
      },
    },
  ];
}

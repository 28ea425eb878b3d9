/**
 * The routes of `roles` (docs/design.md §2.1): the policy the UI works
 * under, the caller's projects, roles and peers. Each parses its input,
 * calls the listing use case (shared/eligibility/listing.ts) and answers.
 */
import {checkProjectId} from '../../shared/activation/input-checks';
import type {
  PeersResponse,
  PolicyResponse,
  ProjectsResponse,
  RolesResponse,
} from '../../shared/api';
import {entitlementRefOf} from '../../shared/eligibility/entitlement-ref';
import {InvalidArgumentError} from '../../shared/errors';
import type {Route} from '../../shared/http';
import type {Services} from '../services';

/** `GET /api/policy`, `/api/projects`, `/api/projects/{p}/roles` and `/peers`. */
export function makeRolesRoutes(services: Services): Route[] {
  const {config} = services;
  const a = config.activation;
  return [
    {
      method: 'GET',
      path: '/api/policy',
      handle: async ({user}) => ({
        body: {
          signedInUser: {email: user.email},
          justificationHint: config.justification.hint,
          justificationPattern: config.justification.pattern,
          defaultActivationMinutes: a.defaultMinutes,
          maxActivationMinutes: a.maxMinutes,
          minReviewers: a.minReviewers,
          maxReviewers: a.maxReviewers,
          requiredApprovals: a.requiredApprovals,
          maxRoles: a.maxRoles,
          requestTimeoutMinutes: a.requestTimeoutMinutes,
          scope: config.scope,
        } satisfies PolicyResponse,
      }),
    },
    {
      method: 'GET',
      path: '/api/projects',
      handle: async ({user}) => ({
        body: {
          projects: await (await services.listing()).listProjects(user.email),
        } satisfies ProjectsResponse,
      }),
    },
    {
      method: 'GET',
      path: '/api/projects/{project}/roles',
      async handle({params, user}) {
        const project = checkProjectId(params['project']);
        const listing = await services.listing();
        const set = await listing.listRoles(user.email, project);
        return {
          body: {
            roles: set.entitlements,
            warnings: set.warnings,
          } satisfies RolesResponse,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/projects/{project}/peers',
      async handle({params, query, user}) {
        const project = checkProjectId(params['project']);
        if (!query['role']) {
          throw new InvalidArgumentError(
            'The query parameter role is required',
          );
        }
        // Compared in upstream's printed form, as GET roles returns it and
        // as request bodies are read: `x>1` names the same entitlement as `x > 1`.
        const {role, resourceCondition} = entitlementRefOf(
          query['role'],
          query['resourceCondition'] || undefined,
        );
        const listing = await services.listing();
        const peers = await listing.listPeers(user.email, project, {
          role,
          ...(resourceCondition === undefined ? {} : {resourceCondition}),
        });
        return {body: {peers} satisfies PeersResponse};
      },
    },
  ];
}

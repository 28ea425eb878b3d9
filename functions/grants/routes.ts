/**
 * The routes of the grant ledger (docs/grants.md): list and read grant
 * records, end access early, and run reconciliation as an auditor. Served by
 * `activate` (whose service account writes IAM) and by `app`.
 */
import {EmptyBodySchema, RevokeBodySchema} from '../../shared/api-schemas';
import type {
  Grant,
  GrantsResponse,
  ReconcileResponse,
  RevokeResponse,
} from '../../shared/api';
import {
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
} from '../../shared/errors';
import {GrantState} from '../../shared/grants/types';
import {parseBody, type Route} from '../../shared/http';
import {
  isValidEmail,
  isValidProjectId,
  REQUEST_ID_PATTERN,
} from '../../shared/limits';
import type {Services} from '../services';

/** An id not of our format names no grant: 404, and no store is asked. */
function checkId(id: string | undefined): string {
  if (id === undefined || !REQUEST_ID_PATTERN.test(id)) {
    throw new NotFoundError('Grant not found');
  }
  return id;
}

// The API's schemas (shared/api-schemas.ts, and the OpenAPI document).
const RevokeBody = RevokeBodySchema;
const EmptyBody = EmptyBodySchema;
const VIEWS = ['holder', 'reviewer', 'auditor'] as const;

export function makeGrantRoutes(services: Services): Route[] {
  const grants = () => services.grants();
  return [
    {
      method: 'GET',
      path: '/api/grants',
      async handle({query, user}) {
        const as = query.as ?? 'holder';
        if (!(VIEWS as readonly string[]).includes(as)) {
          throw new InvalidArgumentError(
            'as must be holder, reviewer or auditor',
          );
        }
        const {state, project, pageToken} = query;
        if (
          state !== undefined &&
          !(GrantState as readonly string[]).includes(state)
        ) {
          throw new InvalidArgumentError(
            `state must be one of ${GrantState.join(', ')}`,
          );
        }
        if (project !== undefined && !isValidProjectId(project)) {
          throw new InvalidArgumentError('project must be a project ID');
        }
        const holder = query.user?.toLowerCase();
        if (holder !== undefined && !isValidEmail(holder)) {
          throw new InvalidArgumentError('user must be an email address');
        }
        const page = await (
          await grants()
        ).list(user.email, as as (typeof VIEWS)[number], {
          ...(state === undefined ? {} : {state: state as GrantState}),
          ...(project === undefined ? {} : {project}),
          ...(holder === undefined ? {} : {user: holder}),
          ...(pageToken === undefined ? {} : {pageToken}),
        });
        return {body: page satisfies GrantsResponse};
      },
    },
    {
      method: 'GET',
      path: '/api/grants/{id}',
      handle: async ({params, user}) => ({
        body: (await (
          await grants()
        ).get(user.email, checkId(params.id))) satisfies Grant,
      }),
    },
    {
      method: 'POST',
      path: '/api/grants/{id}/revoke',
      async handle({params, body, user}) {
        const {reason} = parseBody(RevokeBody, body, '{reason?}');
        const revocation = await (
          await grants()
        ).revoke(user.email, checkId(params.id), reason);
        return {body: revocation satisfies RevokeResponse};
      },
    },
    {
      method: 'POST',
      path: '/api/reconcile',
      async handle({body, user}) {
        parseBody(EmptyBody, body, '{}');
        if (!(await services.isAuditor(user.email))) {
          throw new PermissionDeniedError(
            'Only auditors (AUDITOR_PRINCIPALS) may run reconciliation',
          );
        }
        const summary = await (await services.reconciler()).run();
        return {body: summary satisfies ReconcileResponse};
      },
    },
  ];
}

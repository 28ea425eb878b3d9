/**
 * The routes of `approve` (docs/design.md §2.1): list, read, approve, deny,
 * withdraw, remind. Each parses its input, calls the approvals service
 * (shared/approvals/service.ts) and answers the request it returns.
 * Identity comes from the verified assertion only.
 */
import {
  ApproveBodySchema,
  DenyBodySchema,
  EmptyBodySchema,
} from '../../shared/api-schemas';
import type {AccessRequest, RequestsResponse} from '../../shared/api';
import {RequestState} from '../../shared/approvals/types';
import {InvalidArgumentError, NotFoundError} from '../../shared/errors';
import {parseBody, type Route} from '../../shared/http';
import {REQUEST_ID_PATTERN} from '../../shared/limits';
import type {Services} from '../services';

/** An id not of our format names no request: 404, and no store is asked. */
function checkId(id: string | undefined): string {
  if (id === undefined || !REQUEST_ID_PATTERN.test(id)) {
    throw new NotFoundError('Request not found');
  }
  return id;
}

// The API's schemas (shared/api-schemas.ts, and the OpenAPI document).
const ApproveBody = ApproveBodySchema;
const DenyBody = DenyBodySchema;
const EmptyBody = EmptyBodySchema;

/** The routes of `approve`, also served by `app`. */
export function makeApproveRoutes(services: Services): Route[] {
  const approvals = () => services.approvals();
  return [
    {
      method: 'GET',
      path: '/api/requests',
      async handle({query, user}) {
        const as = query.as ?? 'requester';
        if (as !== 'requester' && as !== 'reviewer') {
          throw new InvalidArgumentError('as must be requester or reviewer');
        }
        const state = query.state;
        if (
          state !== undefined &&
          !(RequestState as readonly string[]).includes(state)
        ) {
          throw new InvalidArgumentError(
            `state must be one of ${RequestState.join(', ')}`,
          );
        }
        const requests = await (
          await approvals()
        ).list(user.email, as, state as RequestState | undefined);
        return {body: {requests} satisfies RequestsResponse};
      },
    },
    {
      method: 'GET',
      path: '/api/requests/{id}',
      handle: async ({params, user}) => ({
        body: (await (
          await approvals()
        ).get(user.email, checkId(params.id))) satisfies AccessRequest,
      }),
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/approve',
      async handle({params, body, user}) {
        const {comment} = parseBody(ApproveBody, body, '{comment?}');
        return {
          body: await (
            await approvals()
          ).approve(user.email, checkId(params.id), comment),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/deny',
      async handle({params, body, user}) {
        const {reason} = parseBody(
          DenyBody,
          body,
          '{reason}: a reason is required to deny a request',
        );
        return {
          body: await (
            await approvals()
          ).deny(user.email, checkId(params.id), reason),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/withdraw',
      async handle({params, body, user}) {
        parseBody(EmptyBody, body, '{}');
        return {
          body: await (
            await approvals()
          ).withdraw(user.email, checkId(params.id)),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/requests/{id}/remind',
      async handle({params, body, user}) {
        parseBody(EmptyBody, body, '{}');
        return {
          body: await (
            await approvals()
          ).remind(user.email, checkId(params.id)),
        };
      },
    },
  ];
}

import type {Config} from '../../shared/config';
import type {Route} from '../../shared/http';

/** `GET /api/policy`: what the UI needs to know before the user acts. */
export function makePolicyRoute(config: Config): Route {
  const a = config.activation;
  return {
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
      },
    }),
  };
}

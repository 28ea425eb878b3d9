/**
 * The `reconcile` target (docs/grants.md): `POST /reconcile`, which Cloud
 * Scheduler calls with an OIDC token. It sits behind no IAP: the service
 * is deployed without unauthenticated access, so Cloud Run's own IAM check
 * (roles/run.invoker, granted to the scheduler's service account alone)
 * admits the caller before any code runs. It answers the run's summary.
 */
import type {ReconcileResponse} from '../../shared/api';
import {parseBody, type Route} from '../../shared/http';
import {z} from 'zod';
import type {Services} from '../services';

export function makeReconcileRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      path: '/reconcile',
      public: true,
      async handle({body}) {
        parseBody(z.strictObject({}), body, '{}');
        const summary = await (await services.reconciler()).run();
        return {body: summary satisfies ReconcileResponse};
      },
    },
  ];
}

/**
 * Health checks without an identity, as JIT Access 1.x serves them:
 * `GET /health/alive` answers 200 whenever the instance runs (its
 * configuration was valid, or it would not have started); `GET
 * /health/ready` runs the readiness checks and answers 200 or 503.
 * Cloud Run's startup and liveness probes call them (deploy.sh, terraform/).
 */
import type {HealthCheckResponse} from '../../shared/api';
import type {Route} from '../../shared/http';
import type {Services} from '../services';

export function makeHealthRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      path: '/health/alive',
      public: true,
      handle: async () => ({
        body: {healthy: true, details: {}} satisfies HealthCheckResponse,
      }),
    },
    {
      method: 'GET',
      path: '/health/ready',
      public: true,
      handle: async () => {
        const body = await (await services.readiness())();
        return {status: body.healthy ? 200 : 503, body};
      },
    },
  ];
}

/**
 * The composition root: the real adapters and use cases of an instance,
 * built from the configuration. Each is built once, on first use, and the
 * adapters load their client libraries on their own first call, so building
 * a target loads none: `GET /health` and `/api/policy` never pay for
 * google-gax or Firestore.
 *
 * Only functions/ imports this file; tests build Services over their own ports.
 */
import {makeSelfActivation} from '../shared/activation/self-activation';
import {makeActivator} from '../shared/activation/activator';
import {makeApprovalService} from '../shared/approvals/service';
import type {Config} from '../shared/config';
import {makeEligibilityService} from '../shared/eligibility';
import {makeEntitlementListing} from '../shared/eligibility/listing';
import {makeAssetInventoryClient} from '../shared/google/asset';
import {makeBackendServiceClient} from '../shared/google/compute';
import {makeDirectoryClient} from '../shared/google/identity';
import {makeMetadataClient} from '../shared/google/metadata';
import {makeRequestStore} from '../shared/google/request-store';
import {
  makeProjectIamClient,
  makeProjectSearchClient,
} from '../shared/google/resource-manager';
import {makeSecretClient} from '../shared/google/secrets';
import {makeIapVerifier} from '../shared/iap';
import type {Logger} from '../shared/log';
import {makeBaseUrlResolver} from '../shared/notifications/public-url';
import {makeSmtpNotifier} from '../shared/notifications/smtp-notifier';
import type {Services} from './services';

/** Memoises a factory: built on first call, then the same instance. */
export function once<T>(factory: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = factory();
      built = true;
    }
    return value;
  };
}

export function makeServices(config: Config, log: Logger): Services {
  // Adapters: no network and no client library until their first call.
  const metadata = once(() => makeMetadataClient(config, log));
  const projectIam = once(() => makeProjectIamClient(config, log));

  const eligibility = once(() =>
    makeEligibilityService(config.catalog, {
      config,
      assets: makeAssetInventoryClient(config, log),
      directory: makeDirectoryClient(config, log),
      // Only needed for AVAILABLE_PROJECTS_QUERY.
      projectSearch: config.availableProjectsQuery
        ? makeProjectSearchClient(config, log)
        : undefined,
      log,
    }),
  );
  // One per instance: its queue is what merges concurrent activations.
  const activator = once(() => makeActivator({iam: projectIam(), log}));

  const approvals = once(() =>
    makeApprovalService({
      config,
      store: makeRequestStore(config),
      eligibility: eligibility(),
      activator: activator(),
      notifier: makeSmtpNotifier({
        config,
        log,
        secrets: config.smtp.secret ? makeSecretClient(config, log) : undefined,
        // The metadata server is only asked on Cloud Run without PUBLIC_BASE_URL.
        baseUrl: makeBaseUrlResolver(
          config,
          config.runtime.kService ? metadata() : undefined,
        ),
      }),
      log,
    }),
  );

  return {
    config,
    log,
    // The audience's adapters are only called if its rule asks (never for rule 1).
    verifier: once(() =>
      makeIapVerifier({
        config,
        log,
        metadata: metadata(),
        backendServices: makeBackendServiceClient(config, log),
      }),
    ),
    listing: once(() =>
      makeEntitlementListing({
        eligibility: eligibility(),
        pendingRequests: (user, project) =>
          approvals().pendingRequestsFor(user, project),
        log,
      }),
    ),
    selfActivation: once(() =>
      makeSelfActivation({
        eligibility: eligibility(),
        activator: activator(),
        config,
        log,
      }),
    ),
    approvals,
  };
}

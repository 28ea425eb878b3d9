/**
 * The composition root: builds the real adapters and services from the
 * configuration, once per instance, each on first use. Heavy client
 * libraries (google-gax, Firestore) are only loaded when a function first
 * needs them, which keeps cold starts short.
 *
 * Only functions/ imports this file; tests build handlers over their own deps.
 */
import type {Config} from '../shared/config';
import type {Logger} from '../shared/log';
import type {IdentityVerifier} from '../shared/http';
import type {EligibilityService} from '../shared/eligibility/types';
import type {Activator} from '../shared/activation/types';
import type {ApprovalService} from '../shared/approvals/service';
import type {RequestStore} from '../shared/approvals/store';
import type {Notifier} from '../shared/notifications/smtp-notifier';
import type {
  AssetInventoryPort,
  BackendServicePort,
  DirectoryPort,
  MetadataPort,
  ProjectIamPort,
  ProjectSearchPort,
  SecretPort,
} from '../shared/ports';

export interface Deps {
  /** Who may activate what: the catalog RESOURCE_CATALOG names. */
  eligibility: () => EligibilityService;
  config: Config;
  log: Logger;
  verifier: () => IdentityVerifier;
  /** The metadata server (project number, region). */
  metadata: () => MetadataPort;
  /** Compute backend services (IAP audience rule 3). */
  backendServices: () => BackendServicePort;
  /** Resource Manager v3 project IAM policies. */
  projectIam: () => ProjectIamPort;
  /** Resource Manager v3 `projects:search` (AVAILABLE_PROJECTS_QUERY). */
  projectSearch: () => ProjectSearchPort;
  /** Cloud Asset Inventory (both catalogs). */
  assets: () => AssetInventoryPort;
  /** Cloud Identity groups. */
  directory: () => DirectoryPort;
  /** Secret Manager (SMTP_SECRET). */
  secrets: () => SecretPort;
  /** Writes activations: one IAM read-modify-write per project at a time. */
  activator: () => Activator;
  /** Activation requests in Firestore (multi-party approval). */
  requestStore: () => RequestStore;
  /** Mails about requests (SMTP). */
  notifier: () => Notifier;
  /** The multi-party approval use cases; also `pendingRequestsFor` for the roles listing. */
  approvals: () => ApprovalService;
}

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

export function makeDeps(config: Config, log: Logger): Deps {
  const deps: Deps = {
    config,
    log,
    // The verifier (and google-auth-library) loads on the first request that
    // needs an identity, so GET /health and startup probes never pay for it;
    // the adapters load only if an audience rule asks them (never for rule 1).
    verifier: once((): IdentityVerifier => {
      const build = once(() =>
        (
          require('../shared/iap') as typeof import('../shared/iap')
        ).makeIapVerifier({
          config,
          log,
          metadata: {
            projectId: () => deps.metadata().projectId(),
            projectNumber: () => deps.metadata().projectNumber(),
            region: () => deps.metadata().region(),
          },
          backendServices: {
            getBackendServiceId: (...args) =>
              deps.backendServices().getBackendServiceId(...args),
          },
        }),
      );
      return {verify: headers => build().verify(headers)};
    }),
    // Adapters are required on first use so that a cold start loads only the
    // client libraries its function needs.
    metadata: once(() =>
      (
        require('../shared/google/metadata') as typeof import('../shared/google/metadata')
      ).makeMetadataClient(config, log),
    ),
    backendServices: once(() =>
      (
        require('../shared/google/compute') as typeof import('../shared/google/compute')
      ).makeBackendServiceClient(config, log),
    ),
    projectIam: once(() =>
      (
        require('../shared/google/resource-manager') as typeof import('../shared/google/resource-manager')
      ).makeProjectIamClient(config, log),
    ),
    projectSearch: once(() =>
      (
        require('../shared/google/resource-manager') as typeof import('../shared/google/resource-manager')
      ).makeProjectSearchClient(config, log),
    ),
    assets: once(() =>
      (
        require('../shared/google/asset') as typeof import('../shared/google/asset')
      ).makeAssetInventoryClient(config, log),
    ),
    directory: once(() =>
      (
        require('../shared/google/identity') as typeof import('../shared/google/identity')
      ).makeDirectoryClient(config, log),
    ),
    secrets: once(() =>
      (
        require('../shared/google/secrets') as typeof import('../shared/google/secrets')
      ).makeSecretClient(config, log),
    ),
    // One per instance: its queue is what merges concurrent activations.
    activator: once(() =>
      (
        require('../shared/activation/activator') as typeof import('../shared/activation/activator')
      ).makeActivator({iam: deps.projectIam(), log}),
    ),
    eligibility: once(() =>
      (
        require('../shared/eligibility') as typeof import('../shared/eligibility')
      ).makeEligibilityService(config.catalog, {
        config,
        assets: deps.assets(),
        directory: deps.directory(),
        // Only needed (and only loaded) for AVAILABLE_PROJECTS_QUERY.
        projectSearch: config.availableProjectsQuery
          ? deps.projectSearch()
          : undefined,
        log,
      }),
    ),
    requestStore: once(() => {
      const google =
        require('../shared/google/firestore') as typeof import('../shared/google/firestore');
      return (
        require('../shared/google/firestore-requests') as typeof import('../shared/google/firestore-requests')
      ).makeFirestoreRequestStore({
        firestore: google.makeFirestore(config),
        collectionPrefix: config.firestore.collectionPrefix,
        database: config.firestore.database,
      });
    }),
    notifier: once(() => {
      const {makeBaseUrlResolver} =
        require('../shared/notifications/public-url') as typeof import('../shared/notifications/public-url');
      return (
        require('../shared/notifications/smtp-notifier') as typeof import('../shared/notifications/smtp-notifier')
      ).makeSmtpNotifier({
        config,
        log,
        secrets: config.smtp.secret ? deps.secrets() : undefined,
        // The metadata server is only asked on Cloud Run without PUBLIC_BASE_URL.
        baseUrl: makeBaseUrlResolver(
          config,
          config.runtime.kService ? deps.metadata() : undefined,
        ),
      });
    }),
    approvals: once(() =>
      (
        require('../shared/approvals/service') as typeof import('../shared/approvals/service')
      ).makeApprovalService({
        config,
        store: deps.requestStore(),
        eligibility: deps.eligibility(),
        activator: deps.activator(),
        notifier: deps.notifier(),
        log,
      }),
    ),
  };
  return deps;
}

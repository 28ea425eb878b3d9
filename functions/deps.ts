/**
 * The composition root: the real adapters and use cases of an instance,
 * built from the configuration. Each is built once, on its first use, and
 * its modules are imported then; the adapters load their client libraries
 * on their own first call. So `GET /health` loads none of them, and
 * `/api/policy` only the IAP verifier.
 *
 * Only functions/ imports this file; tests build Services over their own ports.
 */
import type {Config} from '../shared/config';
import type {Logger} from '../shared/log';
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

/** Each readiness check's bound: a probe must not hang on a slow backend. */
export const READINESS_TIMEOUT_MS = 2_000;

export function makeServices(config: Config, log: Logger): Services {
  // Adapters: no network and no client library until their first call.
  const metadata = once(async () =>
    (await import('../shared/google/metadata')).makeMetadataClient(config, log),
  );
  const resourceManager = once(
    () => import('../shared/google/resource-manager'),
  );

  const eligibility = once(async () => {
    const [{makeEligibilityService}, asset, identity, rm] = await Promise.all([
      import('../shared/eligibility'),
      import('../shared/google/asset'),
      import('../shared/google/identity'),
      resourceManager(),
    ]);
    return makeEligibilityService(config.catalog, {
      config,
      assets: asset.makeAssetInventoryClient(config, log),
      directory: identity.makeDirectoryClient(config, log),
      // Only needed for AVAILABLE_PROJECTS_QUERY.
      projectSearch: config.availableProjectsQuery
        ? rm.makeProjectSearchClient(config, log)
        : undefined,
      log,
    });
  });

  // One per instance: its queue is what merges concurrent activations.
  const activator = once(async () => {
    const [{makeActivator}, rm] = await Promise.all([
      import('../shared/activation/activator'),
      resourceManager(),
    ]);
    return makeActivator({iam: rm.makeProjectIamClient(config, log), log});
  });

  // The base URL for links in mails and events. The metadata server is only
  // asked on Cloud Run without PUBLIC_BASE_URL.
  const baseUrl = once(async () => {
    const {makeBaseUrlResolver} =
      await import('../shared/notifications/public-url');
    return makeBaseUrlResolver(
      config,
      config.runtime.kService ? await metadata() : undefined,
    );
  });

  const notifier = once(async () => {
    const [{makeSmtpNotifier}, secrets] = await Promise.all([
      import('../shared/notifications/smtp-notifier'),
      import('../shared/google/secrets'),
    ]);
    return makeSmtpNotifier({
      config,
      log,
      secrets: config.smtp.secret
        ? secrets.makeSecretClient(config, log)
        : undefined,
      baseUrl: await baseUrl(),
    });
  });

  // Without NOTIFICATION_TOPIC nothing of Pub/Sub is loaded.
  const events = once(async () => {
    if (!config.notificationTopic) return undefined;
    const {makePubSubEventPublisher} = await import('../shared/google/pubsub');
    return makePubSubEventPublisher(config, log, {baseUrl: await baseUrl()});
  });

  // One Firestore client for both stores (its construction costs ~100 ms).
  const firestore = once(async () =>
    (await import('../shared/google/firestore')).makeFirestore(config),
  );
  const store = once(async () =>
    (await import('../shared/google/request-store')).makeRequestStore(
      config,
      firestore,
    ),
  );
  const grantStore = once(async () =>
    (await import('../shared/google/grant-store')).makeGrantStore(
      config,
      firestore,
    ),
  );

  // Who is who in Chat, for direct messages (docs/chat.md).
  const chatUsers = once(async () =>
    (await import('../shared/google/chat-users')).makeChatUserDirectory(
      config,
      firestore,
    ),
  );

  // Without CHAT_SPACE or CHAT_DIRECT_MESSAGES nothing of Chat is loaded.
  const chatCards = once(async () => {
    const chat = config.chat;
    if (!chat || (!chat.space && !chat.directMessages)) return undefined;
    const [{makeChatCards}, {makeChatApi}] = await Promise.all([
      import('../shared/chat/notifier'),
      import('../shared/google/chat'),
    ]);
    return makeChatCards({
      chat,
      api: makeChatApi(config, log),
      users: chat.directMessages ? await chatUsers() : undefined,
      baseUrl: await baseUrl(),
      timezone: config.notificationTimezone,
      log,
    });
  });

  // Group resolution as eligibility's, only for AUDITOR_PRINCIPALS groups.
  const auditors = once(async () => {
    const [{makeAuditorCheck}, identity] = await Promise.all([
      import('../shared/grants/auditors'),
      import('../shared/google/identity'),
    ]);
    return makeAuditorCheck(
      config.auditorPrincipals,
      config.auditorPrincipals.some(p => p.startsWith('group:'))
        ? identity.makeDirectoryClient(config, log)
        : undefined,
    );
  });

  const approvals = once(async () => {
    const [{makeApprovalService}, requests] = await Promise.all([
      import('../shared/approvals/service'),
      store(),
    ]);
    return makeApprovalService({
      config,
      store: requests,
      grants: await grantStore(),
      eligibility: await eligibility(),
      activator: await activator(),
      notifier: await notifier(),
      events: await events(),
      chat: await chatCards(),
      log,
    });
  });

  return {
    config,
    log,
    verifier: once(async () => {
      const [{makeIapVerifier}, compute] = await Promise.all([
        import('../shared/iap'),
        import('../shared/google/compute'),
      ]);
      // The audience's adapters are only called if its rule asks (never for rule 1).
      return makeIapVerifier({
        config,
        log,
        metadata: await metadata(),
        backendServices: compute.makeBackendServiceClient(config, log),
      });
    }),
    listing: once(async () => {
      const [{makeEntitlementListing}, service, {pendingRequestsOf}, rest] =
        await Promise.all([
          import('../shared/eligibility/listing'),
          eligibility(),
          import('../shared/approvals/pending'),
          import('../shared/google/firestore-rest'),
        ]);
      // The pending markers are read over Firestore's REST API: a user's
      // first page does not wait for the Firestore client library
      // (docs/design-notes.md, "Cold start").
      const reader = rest.makeFirestoreRestReader(config, log, {
        projectId: async () => (await metadata()).projectId(),
      });
      return makeEntitlementListing({
        eligibility: service,
        pendingRequests: (user, project) =>
          pendingRequestsOf(q => reader.list(q), user, project, new Date()),
        log,
      });
    }),
    selfActivation: once(async () => {
      const [{makeSelfActivation}, service, writer, ledger, publisher, mailer] =
        await Promise.all([
          import('../shared/activation/self-activation'),
          eligibility(),
          activator(),
          grantStore(),
          events(),
          // Without NOTIFY_SELF_ACTIVATION no mail code is loaded here.
          config.notifySelfActivation ? notifier() : undefined,
        ]);
      return makeSelfActivation({
        eligibility: service,
        activator: writer,
        grants: ledger,
        events: publisher,
        notifier: mailer,
        config,
        log,
      });
    }),
    approvals,
    grants: once(async () => {
      const [{makeGrantService}, grants, writer, check, publisher] =
        await Promise.all([
          import('../shared/grants/service'),
          grantStore(),
          activator(),
          auditors(),
          events(),
        ]);
      return makeGrantService({
        store: grants,
        activator: writer,
        auditors: check,
        events: publisher,
        // Revocations of approved grants are mailed when mail is set up.
        notifier: config.smtp.senderAddress ? await notifier() : undefined,
        log,
      });
    }),
    reconciler: once(async () => {
      const [{makeReconciler}, grants, requests, rm, publisher, cards] =
        await Promise.all([
          import('../shared/grants/reconcile'),
          grantStore(),
          store(),
          resourceManager(),
          events(),
          chatCards(),
        ]);
      return makeReconciler({
        grants,
        requests,
        events: publisher,
        chat: cards,
        iam: rm.makeProjectIamClient(config, log),
        log,
      });
    }),
    isAuditor: async email => (await auditors()).isAuditor(email),
    chat: {
      verifier: once(async () =>
        (await import('../shared/chat/verifier')).makeChatVerifier({
          chat: config.chat,
          ...(config.projectNumber
            ? {projectNumber: config.projectNumber}
            : {}),
          runtime: config.runtime,
          log,
        }),
      ),
      app: once(async () =>
        (await import('../shared/chat/app')).makeChatApp({
          approvals,
          // Kept even without direct messages, for when they are turned on.
          users: await chatUsers(),
          baseUrl: await baseUrl(),
          timezone: config.notificationTimezone,
          log,
        }),
      ),
    },
    readiness: once(async () => {
      const [{makeReadiness}, {resolveAudience}, compute] = await Promise.all([
        import('../shared/health'),
        import('../shared/iap/audience'),
        import('../shared/google/compute'),
      ]);
      const backendServices = compute.makeBackendServiceClient(config, log);
      return makeReadiness({
        checks: {
          // The audience the verifier will pin: its variables, the metadata
          // server, and (rule 3) Compute.
          iapAudience: async () => {
            await resolveAudience({
              config,
              metadata: await metadata(),
              backendServices,
            });
          },
          // A read of a document that never exists.
          firestore: async () => {
            await (await store()).get('readiness-probe');
          },
        },
        configured: {
          mail: config.smtp.senderAddress !== undefined,
          pubsub: config.notificationTopic !== undefined,
        },
        timeoutMs: READINESS_TIMEOUT_MS,
        log,
      });
    }),
  };
}

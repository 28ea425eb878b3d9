/**
 * Ports: what the domain needs from the outside world, one file each; for
 * Google Cloud, in Google's own resource shapes. Adapters in shared/google/ implement them on the client libraries;
 * tests and the sandbox aim those adapters at the fake Google Cloud
 * (sandbox/fake-gcp/). Nothing outside shared/google/ knows which client
 * library is behind a port.
 *
 * Adapters translate errors at their edge into shared/errors.ts types:
 * 403 → PermissionDeniedError/UnavailableError naming the missing permission,
 * 404 → NotFoundError naming the resource, 409/412 on setIamPolicy →
 * ConflictError, 429/5xx retried with back-off, then UnavailableError.
 */

export * from './asset-inventory';
export * from './backend-services';
export * from './chat';
export * from './directory';
export * from './event-publisher';
export * from './grant-store';
export * from './iam-policy';
export * from './identity-verifier';
export * from './metadata';
export * from './notifier';
export * from './project-iam';
export * from './project-search';
export * from './request-store';
export * from './secrets';

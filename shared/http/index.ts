/**
 * The HTTP kit every function is built from: the router with IAP in front
 * (router.ts), the rules every request must meet (request-rules.ts) and the
 * per-user rate limit (rate-limit.ts), and our answer to the requests
 * functions-framework refuses itself (framework-errors.ts).
 */
export * from './framework-errors';
export * from './rate-limit';
export * from './request-rules';
export * from './router';

/**
 * IAP assertion verification (docs/design.md §3): the verifier
 * (verifier.ts), the audience it pins (audience.ts) and the keys it checks
 * signatures with (keys.ts).
 */
export * from './verifier';

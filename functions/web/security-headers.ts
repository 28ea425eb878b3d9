/**
 * The response headers of every page and asset of the UI. The policy allows
 * scripts, styles and requests from our own origin only, no inline code, no
 * framing, and (Trusted Types) no string-to-HTML sinks at all: the UI builds
 * its DOM with createElement and textContent, so an `innerHTML = data`
 * slipped in later fails loudly instead of becoming an XSS hole.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers sent with every UI response (HTML and assets). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // Older browsers ignore frame-ancestors.
  'X-Frame-Options': 'DENY',
  // Request ids in /requests/<id> URLs must not leak to other sites.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

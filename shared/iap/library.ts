/**
 * google-auth-library's OAuth2Client, imported from its own module on first
 * use. The package index also loads GoogleAuth, every credential type and
 * gcp-metadata, which IAP verification never uses: the module alone takes
 * about 25 ms instead of 65 ms, and only when the first request that needs an
 * identity arrives (GET /health never pays for it). The path is stable for
 * the exact version package.json pins (10.5.0); if an upgrade moves it, the
 * build and every IAP test fail at once.
 *
 * The one module outside shared/google/ that imports a Google library
 * (docs/architecture.md).
 */
import type {
  OAuth2Client,
  OAuth2ClientOptions,
} from 'google-auth-library/build/src/auth/oauth2client';

export type {OAuth2Client};

/** A new client; the library is imported on the first call. */
export async function newOAuth2Client(
  options?: OAuth2ClientOptions,
): Promise<OAuth2Client> {
  const library =
    await import('google-auth-library/build/src/auth/oauth2client');
  return new library.OAuth2Client(options);
}

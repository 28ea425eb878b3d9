/**
 * google-auth-library's OAuth2Client, imported from its own module. The
 * package index also loads GoogleAuth, every credential type and
 * gcp-metadata, which IAP verification never uses: importing the module
 * alone takes about 25 ms instead of 65 ms off every cold start (bench/).
 * The path is stable for the exact version package.json pins (10.5.0); if an
 * upgrade moves it, the build and every IAP test fail at once.
 */
export {OAuth2Client} from 'google-auth-library/build/src/auth/oauth2client';

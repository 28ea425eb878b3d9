/** The caller, as the verified IAP assertion names them. */
export interface Identity {
  /** The `email` claim, lower-cased. */
  email: string;
  /** The `sub` claim (`accounts.google.com:<id>`). */
  subject: string;
  /** `google.access_levels`, when present. */
  accessLevels?: string[];
}

/** Verifies the IAP assertion of a request (shared/iap/ implements it). */
export interface IdentityVerifier {
  /** Resolves the caller, or throws UnauthenticatedError / UnavailableError. */
  verify(
    headers: Record<string, string | string[] | undefined>,
  ): Promise<Identity>;
}

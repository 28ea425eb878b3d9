/** Secret Manager `versions:access`. */
export interface SecretPort {
  /** The payload of a secret version, as UTF-8 text. */
  accessSecretVersion(name: string): Promise<string>;
}

/** The metadata server. */
export interface MetadataPort {
  projectId(): Promise<string>;
  /** Numeric project number. */
  projectNumber(): Promise<string>;
  /** The region the instance runs in, e.g. `europe-west1`. */
  region(): Promise<string>;
}

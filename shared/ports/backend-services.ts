/** Compute v1 `backendServices.get` / `regionBackendServices.get` (audience rule 3). */
export interface BackendServicePort {
  /** The numeric ID of a backend service, global or in `region`. */
  getBackendServiceId(
    projectId: string,
    name: string,
    region?: string,
  ): Promise<string>;
}

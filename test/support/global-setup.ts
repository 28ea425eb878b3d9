/**
 * Jest global setup: starts what the whole run shares. Each entry exports its
 * settings through process.env, which jest passes on to the test workers.
 */
export default async function globalSetup(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
}

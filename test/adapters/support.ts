/** Shared set-up for adapter tests: a fake Google Cloud and a Config aimed at it. */
import {existsSync} from 'fs';
import * as path from 'path';
import {loadConfig, type Config} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type World,
} from '../../sandbox/fake-gcp';
import type {AdapterOptions} from '../../shared/google/edge';

/**
 * gcp-metadata sends through its own gaxios instance, which imports
 * node-fetch dynamically; jest's module sandbox cannot do that unless node
 * runs with --experimental-vm-modules. Giving that instance Node's own fetch
 * lets the metadata tests run either way (tests only: the product is left
 * as the library made it).
 */
export function useNodeFetchForGcpMetadata(): void {
  const dir = path.dirname(require.resolve('gcp-metadata/package.json'));
  const nested = path.join(dir, 'node_modules', 'gaxios');

  const gaxios = require(existsSync(nested) ? nested : 'gaxios') as {
    instance: {defaults: {fetchImplementation?: typeof fetch}};
  };
  gaxios.instance.defaults.fetchImplementation ??= globalThis.fetch;
}

/** Short pauses so that retry tests stay fast. */
export const FAST: AdapterOptions = {
  retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 5_000},
};

export async function startFake(world: World): Promise<{
  fake: FakeGoogleCloud;
  config: Config;
  memory: ReturnType<typeof makeMemoryLogger>;
}> {
  useNodeFetchForGcpMetadata();
  const fake = await startFakeGoogleCloud(world);
  const config = loadConfig({
    GOOGLE_CLOUD_PROJECT: 'alpha-project',
    ...fakeEndpoints(fake),
  });
  return {fake, config, memory: makeMemoryLogger()};
}

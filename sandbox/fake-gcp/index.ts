/**
 * Entry point of the fake Google Cloud for tests, benchmarks and the sandbox.
 *
 * ```ts
 * const fake = await startFakeGoogleCloud(world);
 * const config = loadConfig({...fakeEndpoints(fake), GOOGLE_CLOUD_PROJECT: 'p'});
 * ...
 * await fake.stop();
 * ```
 */
import {FakeGoogleCloud} from './server';
import {allRoutes} from './routes';
import type {World} from './world';

export {FakeGoogleCloud, FaultKind, googleError, seededRandom} from './server';
export type {
  FakeHook,
  FakeRoute,
  HookOutcome,
  InjectedFault,
  RandomFaults,
  RequestLogEntry,
} from './server';
export type * from './world';

/**
 * Starts the fake on 127.0.0.1 with every route registered. Port 0 (the
 * default) picks a free port; read the base URL from `fake.url`.
 */
export async function startFakeGoogleCloud(
  world: World,
  options: {port?: number} = {},
): Promise<FakeGoogleCloud> {
  const fake = new FakeGoogleCloud(world, allRoutes());
  await fake.start(options.port ?? 0, '127.0.0.1');
  return fake;
}

/**
 * The endpoint variables of docs/design.md §4 aimed at a started fake, ready to merge
 * into the environment given to `loadConfig`.
 */
export function fakeEndpoints(fake: FakeGoogleCloud): Record<string, string> {
  return {
    CLOUDASSET_ENDPOINT: fake.url,
    CLOUDIDENTITY_ENDPOINT: fake.url,
    CLOUDRESOURCEMANAGER_ENDPOINT: fake.url,
    COMPUTE_ENDPOINT: fake.url,
    SECRETMANAGER_ENDPOINT: fake.url,
    PUBSUB_ENDPOINT: fake.url,
    CHAT_ENDPOINT: fake.url,
    GCE_METADATA_HOST: fake.hostPort,
  };
}

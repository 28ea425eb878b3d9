/** Shared set-up for adapter tests: a fake Google Cloud and a Config aimed at it. */
import {loadConfig, type Config} from '../../shared/config';
import {makeMemoryLogger, type Logger} from '../../shared/log';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
  type World,
} from '../../sandbox/fake-gcp';
import type {AdapterOptions} from '../../shared/google/edge';
import {testWorld} from './world';

/** Short pauses so that retry tests stay fast. */
export const FAST: AdapterOptions = {
  retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 5_000},
};

export async function startFake(world: World): Promise<{
  fake: FakeGoogleCloud;
  config: Config;
  memory: ReturnType<typeof makeMemoryLogger>;
}> {
  const fake = await startFakeGoogleCloud(world);
  const config = loadConfig({
    GOOGLE_CLOUD_PROJECT: 'alpha-project',
    ...fakeEndpoints(fake),
  });
  return {fake, config, memory: makeMemoryLogger()};
}

/** What `useFake` fills in before the tests of a file run. */
export interface FakeContext {
  fake: FakeGoogleCloud;
  config: Config;
  /** `memory.logger`. */
  log: Logger;
  memory: ReturnType<typeof makeMemoryLogger>;
}

/**
 * Registers the usual hooks of an adapter test file: starts the fake Google
 * Cloud on `world()` before all tests and stops it after them; before each
 * test, clears its request log and faults, lifts the page-size cap and gives
 * it a fresh `world()`. Returns the context, filled in by `beforeAll`.
 */
export function useFake(world: () => World = testWorld): FakeContext {
  const t = {} as FakeContext;
  beforeAll(async () => {
    const started = await startFake(world());
    t.fake = started.fake;
    t.config = started.config;
    t.memory = started.memory;
    t.log = started.memory.logger;
  });
  afterAll(() => t.fake.stop());
  beforeEach(() => {
    t.fake.resetLog();
    t.fake.clearFaults();
    t.fake.maxPageSize = 0;
    t.fake.world = world();
  });
  return t;
}

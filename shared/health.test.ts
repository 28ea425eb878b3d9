import {makeReadiness} from './health';
import {makeMemoryLogger} from './log';

describe('readiness', () => {
  it('is healthy when every check passes, and reports optional features without failing', async () => {
    const ready = makeReadiness({
      checks: {a: async () => {}},
      configured: {mail: false, pubsub: true},
      timeoutMs: 100,
      log: makeMemoryLogger().logger,
    });
    expect(await ready()).toEqual({
      healthy: true,
      details: {
        configuration: true,
        a: true,
        mailConfigured: false,
        pubsubConfigured: true,
      },
    });
  });

  it('cuts a check that does not answer within its time, runs the others beside it, and logs only the reason', async () => {
    const memory = makeMemoryLogger();
    const ready = makeReadiness({
      checks: {
        slow: () => new Promise<void>(() => {}),
        broken: async () => {
          throw new Error('permission denied on projects/p');
        },
        fine: async () => {},
      },
      configured: {},
      timeoutMs: 300,
      log: memory.logger,
    });
    const started = Date.now();
    const result = await ready();
    expect(Date.now() - started).toBeLessThan(600);
    expect(result).toEqual({
      healthy: false,
      details: {configuration: true, slow: false, broken: false, fine: true},
    });
    expect(memory.entries().map(e => e['message'])).toEqual([
      'Not ready: broken failed: permission denied on projects/p',
      'Not ready: slow failed: no answer within 300 ms',
    ]);
  });
});

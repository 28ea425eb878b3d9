import {makeCircuitBreaker} from './circuit-breaker';

function setup() {
  const clock = {ms: 1_000_000};
  const events: string[] = [];
  const breaker = makeCircuitBreaker({
    threshold: 3,
    cooldownMs: 30_000,
    now: () => clock.ms,
    onOpen: failures => events.push(`open after ${failures}`),
    onClose: () => events.push('closed'),
  });
  return {clock, events, breaker};
}

describe('makeCircuitBreaker', () => {
  it('stays closed below the threshold', () => {
    const {breaker, events} = setup();
    breaker.failed();
    breaker.failed();
    expect(breaker.allows()).toBe(true);
    expect(events).toEqual([]);
  });

  it('opens after 3 consecutive failures, once', () => {
    const {breaker, events} = setup();
    for (let i = 0; i < 3; i++) breaker.failed();
    expect(breaker.allows()).toBe(false);
    expect(breaker.state()).toBe('open');
    // A late failure of a call already under way neither reopens nor reports.
    breaker.failed();
    expect(events).toEqual(['open after 3']);
  });

  it('counts only consecutive failures', () => {
    const {breaker} = setup();
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.allows()).toBe(true);
  });

  it('lets calls through after the cooldown; one failure opens it again', () => {
    const {breaker, clock, events} = setup();
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.ms += 29_999;
    expect(breaker.allows()).toBe(false);
    clock.ms += 1;
    expect(breaker.state()).toBe('half-open');
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.allows()).toBe(false);
    clock.ms += 30_000;
    expect(breaker.allows()).toBe(true);
    expect(events).toEqual(['open after 3', 'open after 4']);
  });

  it('closes on a success, and reports it only if it had opened', () => {
    const {breaker, clock, events} = setup();
    breaker.succeeded();
    expect(events).toEqual([]);
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.ms += 30_000;
    breaker.succeeded();
    expect(breaker.state()).toBe('closed');
    expect(events).toEqual(['open after 3', 'closed']);
    // Closed again: it takes 3 new failures to open.
    breaker.failed();
    expect(breaker.allows()).toBe(true);
  });

  it('refuses a threshold below 1', () => {
    expect(() => makeCircuitBreaker({threshold: 0, cooldownMs: 1})).toThrow(
      /threshold/,
    );
  });
});

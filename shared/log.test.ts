import {makeMemoryLogger, traceFromHeader} from './log';

describe('logs', () => {
  it('writes one JSON line with severity, message and Cloud Logging labels', () => {
    const {logger, entries} = makeMemoryLogger();
    logger
      .child({
        labels: {user: 'alice@example.com'},
        trace: 'projects/p/traces/abc',
      })
      .warn('refused', {
        event: 'iap.authenticate',
        project: undefined,
      });
    expect(entries()).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        message: 'refused',
        'logging.googleapis.com/labels': {
          user: 'alice@example.com',
          event: 'iap.authenticate',
        },
        'logging.googleapis.com/trace': 'projects/p/traces/abc',
      }),
    ]);
  });

  it('serialises an error field with its cause', () => {
    const {logger, entries} = makeMemoryLogger();
    logger.error(
      'failed',
      {},
      {error: new Error('outer', {cause: new Error('inner')})},
    );
    const error = entries()[0]!['error'] as {
      message: string;
      cause: {message: string};
    };
    expect(error.message).toBe('outer');
    expect(error.cause.message).toBe('inner');
  });

  it.each([
    [
      '105445aa7843bc8bf206b12000100000/1;o=1',
      'projects/p/traces/105445aa7843bc8bf206b12000100000',
    ],
    [
      '105445aa7843bc8bf206b12000100000',
      'projects/p/traces/105445aa7843bc8bf206b12000100000',
    ],
    ['not a trace', undefined],
    [undefined, undefined],
  ])('reads the trace of X-Cloud-Trace-Context %p', (header, expected) => {
    expect(traceFromHeader(header, 'p')).toBe(expected);
  });
});

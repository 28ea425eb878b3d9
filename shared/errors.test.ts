import * as errors from './errors';

describe('toErrorResponse', () => {
  it.each<[errors.AppError, number, string]>([
    [new errors.InvalidArgumentError('bad'), 400, 'INVALID_ARGUMENT'],
    [new errors.UnauthenticatedError('who'), 401, 'UNAUTHENTICATED'],
    [new errors.PermissionDeniedError('no'), 403, 'PERMISSION_DENIED'],
    [new errors.NotFoundError('gone'), 404, 'NOT_FOUND'],
    [new errors.AbortedError('state'), 409, 'ABORTED'],
    [new errors.ConflictError('race'), 409, 'ABORTED'],
    [new errors.AlreadyExistsError('twice'), 409, 'ALREADY_EXISTS'],
    [new errors.PayloadTooLargeError('big'), 413, 'INVALID_ARGUMENT'],
    [new errors.UnsupportedMediaTypeError('type'), 415, 'INVALID_ARGUMENT'],
    [new errors.ResourceExhaustedError('slow'), 429, 'RESOURCE_EXHAUSTED'],
    [new errors.UnavailableError('down'), 503, 'UNAVAILABLE'],
  ])("maps %p to %i %s in Google's error shape", (err, code, status) => {
    expect(errors.toErrorResponse(err)).toEqual({
      httpStatus: code,
      body: {error: {code, status, message: err.message}},
      headers: {},
      known: true,
    });
  });

  it('answers 405 with the methods the path allows in Allow', () => {
    const r = errors.toErrorResponse(
      new errors.MethodNotAllowedError('Method not allowed', ['GET', 'HEAD']),
    );
    expect(r.httpStatus).toBe(405);
    expect(r.headers).toEqual({Allow: 'GET, HEAD'});
    expect(r.body.error).toEqual({
      code: 405,
      status: 'INVALID_ARGUMENT',
      message: 'Method not allowed',
    });
  });

  it('answers an unknown error with a generic 500 that reveals nothing', () => {
    const r = errors.toErrorResponse(new Error('secret internal detail'));
    expect(r.httpStatus).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('secret');
    expect(r.known).toBe(false);
  });

  it('gives no project error a numeric code property (Firestore would retry it)', () => {
    for (const E of [
      errors.InvalidArgumentError,
      errors.UnauthenticatedError,
      errors.PermissionDeniedError,
      errors.NotFoundError,
      errors.AbortedError,
      errors.ConflictError,
      errors.AlreadyExistsError,
      errors.ResourceExhaustedError,
      errors.UnavailableError,
      errors.PayloadTooLargeError,
      errors.UnsupportedMediaTypeError,
      errors.GooglePermissionError,
    ]) {
      const e = new E('x', undefined) as unknown as Record<string, unknown>;
      expect(typeof e['code']).not.toBe('number');
    }
  });

  it('keeps the original error as cause', () => {
    const cause = new Error('library said something with a token');
    const e = new errors.UnavailableError('Cloud Asset API unavailable', {
      cause,
    });
    expect(e.cause).toBe(cause);
    expect(e.message).not.toContain('token');
  });
});

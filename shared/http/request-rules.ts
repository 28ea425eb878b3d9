/**
 * What every request must be before a handler reads it (docs/design.md
 * §2.1): a POST is JSON, carries the `X-JIT-Access: 1` header (our defence
 * against cross-site request forgery) and is at most 64 KiB; a body is read
 * with a strict schema that names unknown fields.
 */
import type {ZodType, ZodTypeDef} from 'zod';
import type {Request} from '@google-cloud/functions-framework';
import {
  InvalidArgumentError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import {MAX_BODY_BYTES} from '../limits';

/** The first value of a request header. */
export function header(req: Request, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The POST rules: JSON only, the CSRF header (unless the route's caller
 * proves itself with a bearer token), 64 KiB. Returns the body.
 */
export function checkPost(
  req: Request,
  options: {csrfHeader: boolean} = {csrfHeader: true},
): unknown {
  const contentType = header(req, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      'Content-Type must be application/json',
    );
  }
  if (options.csrfHeader && header(req, 'x-jit-access') !== '1') {
    throw new InvalidArgumentError('The header X-JIT-Access: 1 is required');
  }
  const raw = (req as Request & {rawBody?: Buffer}).rawBody;
  const length = raw?.length ?? Number(header(req, 'content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The body is larger than ${MAX_BODY_BYTES} bytes`,
    );
  }
  const body: unknown = req.body;
  if (
    body === undefined ||
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    Buffer.isBuffer(body)
  ) {
    throw new InvalidArgumentError('The body must be a JSON object');
  }
  return body;
}

/**
 * Parses a POST body with a strict zod schema: unknown fields are named in
 * the 400, any other mismatch answers with the expected shape.
 */
export function parseBody<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  body: unknown,
  shape: string,
): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const unknownKeys = parsed.error.issues.flatMap(i =>
    i.code === 'unrecognized_keys' ? i.keys : [],
  );
  throw new InvalidArgumentError(
    unknownKeys.length > 0
      ? `Unknown fields: ${unknownKeys.slice(0, 5).join(', ')}`
      : `The body must be ${shape}`,
  );
}

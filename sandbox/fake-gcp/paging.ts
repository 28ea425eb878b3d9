/**
 * `pageSize` / `pageToken` / `nextPageToken` paging, as every Google list
 * method does it (https://google.aip.dev/158). Tokens are opaque to clients;
 * here they encode an offset and a fingerprint of the query, and a token used
 * with a different query is refused as Google refuses it.
 */
import {createHash} from 'crypto';
import type {FakeGoogleCloud, FakeResponse} from './server';
import {googleError} from './server';

function fingerprint(query: string): string {
  return createHash('sha256').update(query).digest('hex').slice(0, 8);
}

/**
 * One page of `items`, or a 400 for a bad token or page size. `query`
 * identifies the request's other parameters. `fake.maxPageSize`, when set,
 * caps every page, so that tests see paging with little data.
 */
export function paginate<T>(
  fake: FakeGoogleCloud,
  items: T[],
  params: {pageSize?: string | null; pageToken?: string | null},
  query: string,
  limits: {defaultSize: number; maxSize: number},
): {page: T[]; nextPageToken?: string} | {error: FakeResponse} {
  let size = limits.defaultSize;
  if (params.pageSize) {
    const n = Number(params.pageSize);
    if (!Number.isInteger(n) || n < 0) {
      return {
        error: googleError(
          400,
          'Invalid page size: must be a non-negative integer.',
        ),
      };
    }
    if (n > 0) size = Math.min(n, limits.maxSize);
  }
  if (fake.maxPageSize > 0) size = Math.min(size, fake.maxPageSize);
  let offset = 0;
  if (params.pageToken) {
    const decoded = Buffer.from(params.pageToken, 'base64url').toString('utf8');
    const match = /^(\d+):([0-9a-f]{8})$/.exec(decoded);
    if (!match || match[2] !== fingerprint(query)) {
      return {error: googleError(400, 'Invalid page token.')};
    }
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? {
        page,
        nextPageToken: Buffer.from(`${next}:${fingerprint(query)}`).toString(
          'base64url',
        ),
      }
    : {page};
}

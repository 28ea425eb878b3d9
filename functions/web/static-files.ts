/**
 * The UI's static files, read into memory once when the handler is built:
 * requests are answered from a fixed map, so no request path ever reaches the
 * file system (no traversal), and each file is gzipped and hashed once.
 */
import {createHash} from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {gzipSync} from 'zlib';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Below this size gzip saves less than its header costs.
const MIN_GZIP_BYTES = 512;

/** One file, ready to send. */
export interface StaticFile {
  contentType: string;
  body: Buffer;
  /** Present when compressing pays off. */
  gzip?: Buffer;
  /** A strong ETag of the uncompressed body, quoted. */
  etag: string;
  /**
   * The `?v=` that the build puts on this file's URL in index.html
   * (scripts/copy-assets.js computes the same: 12 characters of the
   * base64url SHA-256).
   */
  version: string;
}

/** Files by their path relative to the static directory, with `/` separators. */
export type StaticFiles = ReadonlyMap<string, StaticFile>;

function walk(dir: string, prefix: string, out: Map<string, StaticFile>) {
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      walk(full, relative, out);
      continue;
    }
    const type = CONTENT_TYPES[path.extname(entry.name).toLowerCase()];
    // Source maps and unknown types are not published.
    if (!entry.isFile() || type === undefined) continue;
    const body = fs.readFileSync(full);
    const compressible = !type.startsWith('image/') || type.includes('svg');
    const gzip =
      compressible && body.length >= MIN_GZIP_BYTES
        ? gzipSync(body, {level: 9})
        : undefined;
    const hash = createHash('sha256').update(body).digest('base64url');
    out.set(relative, {
      contentType: type,
      body,
      gzip: gzip && gzip.length < body.length ? gzip : undefined,
      etag: `"${hash.slice(0, 27)}"`,
      version: hash.slice(0, 12),
    });
  }
}

/** Reads every publishable file under `dir`; throws when `dir` is missing. */
export function loadStaticFiles(dir: string): StaticFiles {
  const files = new Map<string, StaticFile>();
  walk(dir, '', files);
  if (!files.has('index.html')) {
    throw new Error(`The UI is not built: ${dir}/index.html is missing`);
  }
  return files;
}

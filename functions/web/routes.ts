/**
 * Target `web`: the single-page UI (`/`, `/static/…`, `/favicon.ico`) and the
 * request page that email links open (`/requests/{id}`, the same page, which
 * then reads the request through the API). Behind IAP like every other path:
 * the router verifies the assertion before any route runs.
 */
import * as path from 'path';
import type {Request, Response} from '@google-cloud/functions-framework';
import {NotFoundError} from '../../shared/errors';
import type {Route} from '../../shared/http';
import {SECURITY_HEADERS} from './security-headers';
import {loadStaticFiles, StaticFile, StaticFiles} from './static-files';

export {CONTENT_SECURITY_POLICY} from './security-headers';

/** build/functions/web → build/web/static, where the build puts the UI. */
export const DEFAULT_STATIC_DIR = path.join(
  __dirname,
  '..',
  '..',
  'web',
  'static',
);

/** The asset URL prefix; a load balancer's URL map sends it to `web`. */
export const ASSET_PREFIX = '/static/';

// The page revalidates on every load (a cheap 304 through IAP). An asset
// fetched with the version index.html names (`?v=<hash>`) never changes, so
// the browser keeps it; fetched without, it revalidates like the page.
const PAGE_CACHE = 'private, no-cache';
const ASSET_CACHE = 'private, no-cache';
const VERSIONED_ASSET_CACHE = 'private, max-age=31536000, immutable';
const ICON_CACHE = 'private, max-age=86400';

function acceptsGzip(req: Request): boolean {
  const header = req.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[0-9.]+)?\s*(,|$)/i.test(
    value,
  );
}

function send(
  req: Request,
  res: Response,
  file: StaticFile,
  cacheControl: string,
): undefined {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    res.set(name, value);
  }
  res.set('Content-Type', file.contentType);
  res.set('Cache-Control', cacheControl);
  let body = file.body;
  let etag = file.etag;
  if (file.gzip) {
    res.set('Vary', 'Accept-Encoding');
    if (acceptsGzip(req)) {
      body = file.gzip;
      etag = etag.replace(/"$/, '-gzip"');
      res.set('Content-Encoding', 'gzip');
    }
  }
  // Express answers 304 itself when If-None-Match matches this ETag.
  res.set('ETag', etag);
  res.status(200).send(body);
  return undefined;
}

/** The UI's routes, to be served by `web` and by `app`; they need no service. */
export function makeWebRoutes(): Route[] {
  return makeStaticRoutes(DEFAULT_STATIC_DIR);
}

/** The UI's routes over the files in `staticDir` (a build's web/static). */
export function makeStaticRoutes(staticDir: string): Route[] {
  const files: StaticFiles = loadStaticFiles(staticDir);
  const page = files.get('index.html')!;
  const icon = files.get('favicon.ico');
  const servePage: Route['handle'] = async ({req, res}) =>
    send(req, res, page, PAGE_CACHE);
  return [
    {method: 'GET', path: '/', handle: servePage},
    // The API's OpenAPI 3.1 document, behind IAP like the rest (docs/cli.md);
    // its generator is loaded on the first request for it.
    {
      method: 'GET',
      path: '/api/openapi.json',
      handle: async () => ({
        body: (await import('../../shared/openapi')).openApiDocument(),
      }),
    },
    // Any id: the page asks the API, which answers 404 for a request the
    // viewer may not see, so the page reveals nothing by itself.
    {method: 'GET', path: '/requests/{id}', handle: servePage},
    {
      method: 'GET',
      path: '/favicon.ico',
      handle: async ({req, res}) => {
        if (!icon) throw new NotFoundError('Not found');
        return send(req, res, icon, ICON_CACHE);
      },
    },
    {
      method: 'GET',
      path: `${ASSET_PREFIX}{file*}`,
      handle: async ({req, res, params, query}) => {
        const name = params.file ?? '';
        const file = name === 'index.html' ? undefined : files.get(name);
        if (!file) throw new NotFoundError('Not found');
        const cache =
          query.v === file.version ? VERSIONED_ASSET_CACHE : ASSET_CACHE;
        return send(req, res, file, cache);
      },
    },
  ];
}

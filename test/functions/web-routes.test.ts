import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from '../support/api-request';
import {makeStaticRoutes} from '../../functions/web/routes';
import {makeHttpFunction} from '../../shared/http';
import {makeLogger} from '../../shared/log';
import {makeTestIap, TestIap} from '../support/iap';

const SOURCE_STATIC = path.join(__dirname, '..', '..', 'web', 'static');
const UI_SOURCE = path.join(__dirname, '..', '..', 'web', 'src');

let iap: TestIap;
let staticDir: string;
let server: ReturnType<typeof getTestServer>;

beforeAll(async () => {
  iap = await makeTestIap();
  // The page and assets as the build lays them out, plus one module.
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-static-'));
  fs.cpSync(SOURCE_STATIC, staticDir, {recursive: true});
  fs.mkdirSync(path.join(staticDir, 'js'), {recursive: true});
  fs.writeFileSync(
    path.join(staticDir, 'js', 'main.js'),
    `export const x = ${JSON.stringify('x'.repeat(2000))};\n`,
  );
  fs.writeFileSync(path.join(staticDir, 'js', 'main.js.map'), '{}');
  // Target `web`'s routes over this folder, behind the real router and IAP.
  functions.http(
    'web-under-test',
    makeHttpFunction({
      routes: makeStaticRoutes(staticDir),
      verifier: iap.verifier,
      log: makeLogger(() => {}),
      rateLimitPerMinute: iap.config.rateLimitPerMinute,
    }),
  );
  server = getTestServer('web-under-test');
});

afterAll(async () => {
  await iap.close();
  fs.rmSync(staticDir, {recursive: true, force: true});
});

const as = (email = 'alice@example.com') => ({
  'x-goog-iap-jwt-assertion': iap.assertionFor(email),
});

describe('web target', () => {
  it('serves the OpenAPI document behind IAP', async () => {
    await request(server).get('/api/openapi.json').expect(401);
    const res = await request(server)
      .get('/api/openapi.json')
      .set(as())
      .expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/api/grants/{id}/revoke');
    expect(res.body.components.schemas.Grant.properties.state.enum).toContain(
      'EXPIRED',
    );
  });

  it('answers 401 without an IAP assertion, revealing no page', async () => {
    for (const url of [
      '/',
      '/requests/abc',
      '/static/app.css',
      '/static/favicon.ico',
    ]) {
      const res = await request(server).get(url);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.text).not.toMatch(/<html/i);
    }
  });

  it('answers 401 to an assertion signed by another key', async () => {
    const {makeIapSigner} = await import('../../sandbox/iap-signer');
    const forged = makeIapSigner({kid: iap.signer.kid}).sign({
      email: 'alice@example.com',
      aud: iap.config.iap.audience!,
    });
    const res = await request(server)
      .get('/')
      .set('x-goog-iap-jwt-assertion', forged);
    expect(res.status).toBe(401);
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await request(server).get('/').set(as());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] as string;
    const directives = new Map(
      csp.split(';').map(d => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('require-trusted-types-for')).toBe("'script'");
    expect(csp).not.toMatch(/unsafe-|data:|\*/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('serves a page without inline script, inline style or event handlers', async () => {
    const res = await request(server).get('/').set(as());
    const html = res.text;
    const scripts = [
      ...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi),
    ];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/static\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it('refers to one script and one stylesheet, which the build produces', async () => {
    const res = await request(server).get('/').set(as());
    const assets = [
      ...res.text.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g),
    ].map(m => m[1]!);
    expect(assets.sort()).toEqual([
      '/static/app.css',
      '/static/app.js',
      '/static/favicon.ico',
    ]);
    // scripts/copy-assets.js bundles web/src from its entry, main.ts.
    expect(fs.existsSync(path.join(UI_SOURCE, 'main.ts'))).toBe(true);
  });

  it('lets the browser keep an asset fetched with its current version', async () => {
    const first = await request(server).get('/static/app.css').set(as());
    const {createHash} = await import('crypto');
    const version = createHash('sha256')
      .update(fs.readFileSync(path.join(staticDir, 'app.css')))
      .digest('base64url')
      .slice(0, 12);
    const versioned = await request(server)
      .get(`/static/app.css?v=${version}`)
      .set(as());
    expect(versioned.headers['cache-control']).toBe(
      'private, max-age=31536000, immutable',
    );
    expect(versioned.text).toBe(first.text);
    const stale = await request(server).get('/static/app.css?v=old').set(as());
    expect(stale.headers['cache-control']).toBe('private, no-cache');
  });

  it('serves the same page at /requests/<id> for the links in emails', async () => {
    const page = await request(server).get('/').set(as());
    const res = await request(server).get('/requests/AbC-123_x').set(as());
    expect(res.status).toBe(200);
    expect(res.text).toBe(page.text);
    expect(res.headers['content-security-policy']).toBe(
      page.headers['content-security-policy'],
    );
  });

  it('serves assets with their type, an ETag, and 304 when unchanged', async () => {
    const res = await request(server).get('/static/app.css').set(as());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await request(server)
      .get('/static/app.css')
      .set(as())
      .set('If-None-Match', etag);
    expect(again.status).toBe(304);
    const js = await request(server).get('/static/js/main.js').set(as());
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('compresses text assets for clients that accept gzip', async () => {
    const plain = await request(server)
      .get('/static/js/main.js')
      .set(as())
      .set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await request(server)
      .get('/static/js/main.js')
      .set(as())
      .set('Accept-Encoding', 'gzip, deflate')
      .buffer(true)
      .parse((res, done) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => done(null, n));
      });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBeLessThan(
      Number(plain.headers['content-length']),
    );
  });

  // functions-framework answers /favicon.ico itself unless IGNORED_ROUTES is
  // set empty, so the page links the icon under /static/.
  it('serves the icon', async () => {
    const res = await request(server).get('/static/favicon.ico').set(as());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
  });

  it.each([
    ['/static/../package.json'],
    ['/static/%2e%2e/%2e%2e/package.json'],
    ['/static/js/main.js.map'],
    ['/static/index.html'],
    ['/static/missing.js'],
    ['/nowhere'],
  ])('answers 404 for %s', async url => {
    const res = await request(server).get(url).set(as());
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/"name"|<html/);
  });
});

/**
 * The HTTP kit (shared/http/) through functions-framework's test server:
 * identity before anything else, the POST rules of docs/design.md §2.1, the
 * rate limit, a request context that reaches every log line, and errors that
 * reveal nothing.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {NotFoundError} from '../../shared/errors';
import {
  answerFrameworkErrors,
  makeHttpFunction,
  type Route,
} from '../../shared/http';
import {MAX_BODY_BYTES} from '../../shared/limits';
import {makeLogger, makeMemoryLogger} from '../../shared/log';
import {makeTestIap, type TestIap} from '../support/iap';

const RATE_LIMIT = 5;
const memory = makeMemoryLogger();
/** A logger built apart from the function's, as the composition root builds adapters'. */
const deepLines: string[] = [];
const deepLogger = makeLogger(line => deepLines.push(line));
let iap: TestIap;
let server: ReturnType<typeof getTestServer>;

const routes: Route[] = [
  {
    method: 'GET',
    path: '/api/things/{id}',
    handle: async ({params, user, query}) => ({
      body: {id: params['id'], user: user.email, q: query['q']},
    }),
  },
  {
    method: 'POST',
    path: '/api/things/{id}/echo',
    handle: async ({params, body}) => ({
      status: 201,
      body: {id: params['id'], body},
    }),
  },
  {
    method: 'GET',
    path: '/static/{file*}',
    handle: async ({params}) => ({body: {file: params['file']}}),
  },
  {
    method: 'GET',
    path: '/api/deep',
    // As a use case or an adapter logs: through its own logger, after awaits.
    handle: async () => {
      await new Promise(resolve => setTimeout(resolve, 5));
      await Promise.resolve();
      deepLogger.info('deep down', {event: 'test.deep'});
      return {body: {}};
    },
  },
  {
    method: 'GET',
    path: '/api/boom',
    handle: async () => {
      throw new Error('secret internal detail at db-host-7');
    },
  },
  {
    method: 'GET',
    path: '/api/missing',
    handle: async () => {
      throw new NotFoundError('Request r-1 not found');
    },
  },
];

beforeAll(async () => {
  // As functions/index.ts does, before the framework creates its app.
  answerFrameworkErrors(memory.logger);
  iap = await makeTestIap({log: memory.logger});
  functions.http(
    'httpKit',
    makeHttpFunction({
      routes,
      verifier: iap.verifier,
      log: memory.logger,
      projectId: 'test-project',
      rateLimitPerMinute: RATE_LIMIT,
    }),
  );
  server = getTestServer('httpKit');
});
afterAll(() => iap.close());
beforeEach(() => memory.lines.splice(0));

/** Each test its own user, so that the rate limit of one does not leak into another. */
let userCount = 0;
function asNewUser() {
  return {
    'x-goog-iap-jwt-assertion': iap.assertionFor(
      `user${++userCount}@example.com`,
    ),
  };
}
const postHeaders = {'Content-Type': 'application/json', 'X-JIT-Access': '1'};

describe('POST rules', () => {
  it('accepts a JSON POST carrying X-JIT-Access: 1', async () => {
    const res = await request(server)
      .post('/api/things/a%2Fb/echo')
      .set({...asNewUser(), ...postHeaders})
      .send({hello: 'world'});
    expect(res.status).toBe(201);
    expect(res.body).toEqual({id: 'a/b', body: {hello: 'world'}});
  });

  it.each<[string, Record<string, string>, string | object, number, string]>([
    [
      'without application/json',
      {'Content-Type': 'text/plain', 'X-JIT-Access': '1'},
      '{"a":1}',
      415,
      'Content-Type',
    ],
    [
      'as a form',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-JIT-Access': '1',
      },
      'a=1',
      415,
      'Content-Type',
    ],
    [
      'without X-JIT-Access',
      {'Content-Type': 'application/json'},
      {a: 1},
      400,
      'X-JIT-Access',
    ],
    [
      'with X-JIT-Access: 0',
      {'Content-Type': 'application/json', 'X-JIT-Access': '0'},
      {a: 1},
      400,
      'X-JIT-Access',
    ],
    ['with a JSON array', postHeaders, [1, 2], 400, 'JSON object'],
    [
      'over 64 KiB',
      postHeaders,
      {pad: 'x'.repeat(MAX_BODY_BYTES)},
      413,
      'larger than',
    ],
  ])('refuses a POST %s', async (_name, headers, body, status, message) => {
    const res = await request(server)
      .post('/api/things/1/echo')
      .set({...asNewUser(), ...headers})
      .send(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({
      code: status,
      status: 'INVALID_ARGUMENT',
    });
    expect(res.body.error.message).toContain(message);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const overhead = JSON.stringify({pad: ''}).length;
    const res = await request(server)
      .post('/api/things/1/echo')
      .set({...asNewUser(), ...postHeaders})
      .send(JSON.stringify({pad: 'x'.repeat(MAX_BODY_BYTES - overhead)}));
    expect(res.status).toBe(201);
  });

  it.each<[string, string]>([
    ['a body that is not JSON', 'not json'],
    ['a truncated JSON object', '{"a": 1,'],
  ])(
    'answers %s with our error JSON, never a stack trace',
    async (_name, body) => {
      const res = await request(server)
        .post('/api/things/1/echo')
        .set({...asNewUser(), ...postHeaders})
        .send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe(
        'application/json; charset=utf-8',
      );
      expect(res.body).toEqual({
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: 'The body is not valid JSON',
        },
      });
      expect(memory.lines).toEqual([]);
    },
  );

  it.each<[string, Record<string, string>]>([
    [
      'a charset other than UTF-8',
      {'Content-Type': 'application/json; charset=latin1'},
    ],
    ['an unknown Content-Encoding', {'Content-Encoding': 'x-unknown'}],
  ])('answers a body in %s with our 415', async (_name, headers) => {
    const res = await request(server)
      .post('/api/things/1/echo')
      .set({...asNewUser(), ...postHeaders, ...headers})
      .send('{"a":1}');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: {
        code: 415,
        status: 'INVALID_ARGUMENT',
        message: "The body's charset or encoding is not supported",
      },
    });
  });

  it('checks the identity before the POST rules', async () => {
    const res = await request(server)
      .post('/api/things/1/echo')
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(res.status).toBe(401);
  });
});

describe('routing', () => {
  it('answers a GET with path and query parameters', async () => {
    const res = await request(server)
      .get('/api/things/x%20y?q=1&q=2')
      .set(asNewUser());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'x y',
      user: `user${userCount}@example.com`,
      q: '1',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each<[string, 'get' | 'post', string, number, string]>([
    ['an unknown path', 'get', '/api/nothing-here', 404, 'NOT_FOUND'],
    [
      'a known path with the wrong method',
      'post',
      '/api/things/1',
      405,
      'INVALID_ARGUMENT',
    ],
  ])(
    'answers %s only after authentication',
    async (_name, method, path, status, googleStatus) => {
      const anonymous = await request(server)[method](path);
      expect(anonymous.status).toBe(401);
      const res = await request(server)
        [method](path)
        .set({...asNewUser(), ...postHeaders});
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        error: {
          code: status,
          status: googleStatus,
          message: expect.any(String),
        },
      });
      // A 405 names what the path allows (RFC 9110).
      expect(res.headers['allow']).toBe(
        status === 405 ? 'GET, HEAD' : undefined,
      );
    },
  );

  it('refuses a malformed path escape with our 400 before any handler runs', async () => {
    // functions-framework's router decodes the path first: no route runs,
    // and the answer comes from shared/http/framework-errors.ts.
    const res = await request(server)
      .get('/api/things/%E0%A4%A')
      .set(asNewUser());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: 'The path is not valid',
      },
    });
    expect(memory.lines).toEqual([]);
  });
});

describe('rate limit', () => {
  it(`answers 429 past ${RATE_LIMIT} requests a minute per user, and not to others`, async () => {
    const alice = asNewUser();
    for (let i = 0; i < RATE_LIMIT; i++) {
      await request(server).get('/api/things/1').set(alice).expect(200);
    }
    const res = await request(server).get('/api/things/1').set(alice);
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
    });
    await request(server).get('/api/things/1').set(asNewUser()).expect(200);
  });

  it('counts API calls only: the page and its assets cost nothing', async () => {
    const alice = asNewUser();
    for (let i = 0; i < RATE_LIMIT * 3; i++) {
      await request(server).get('/static/app.js').set(alice).expect(200);
    }
    for (let i = 0; i < RATE_LIMIT; i++) {
      await request(server).get('/api/things/1').set(alice).expect(200);
    }
    await request(server).get('/api/things/1').set(alice).expect(429);
    // Still verified: no identity, no asset.
    await request(server).get('/static/app.js').expect(401);
  });

  it('leaves /health alone', async () => {
    for (let i = 0; i < RATE_LIMIT + 2; i++) {
      await request(server).get('/health').expect(200);
    }
  });
});

describe('errors', () => {
  it('answers an unknown error with a generic 500 and logs it in full', async () => {
    const res = await request(server)
      .get('/api/boom')
      .set({
        ...asNewUser(),
        'X-Cloud-Trace-Context': '0123456789abcdef0123456789abcdef/1;o=1',
      });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {code: 500, status: 'INTERNAL', message: 'Internal error'},
    });
    expect(res.text).not.toContain('secret');
    const logged = memory
      .entries()
      .find(e => e['message'] === 'Unhandled error');
    expect(JSON.stringify(logged)).toContain(
      'secret internal detail at db-host-7',
    );
    expect(logged?.['logging.googleapis.com/trace']).toBe(
      'projects/test-project/traces/0123456789abcdef0123456789abcdef',
    );
  });

  it('answers a known error with its own status and message', async () => {
    const res = await request(server).get('/api/missing').set(asNewUser());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {code: 404, status: 'NOT_FOUND', message: 'Request r-1 not found'},
    });
  });

  it('gives every log line of a request its trace and user, whoever logs it', async () => {
    deepLines.length = 0;
    const headers = asNewUser();
    const [a, b] = await Promise.all([
      request(server)
        .get('/api/deep')
        .set({...headers, 'X-Cloud-Trace-Context': 'aaaa/1;o=1'}),
      request(server)
        .get('/api/deep')
        .set({
          'x-goog-iap-jwt-assertion': iap.assertionFor('bob@example.com'),
          'X-Cloud-Trace-Context': 'bbbb/1;o=1',
        }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    type Line = {
      'logging.googleapis.com/trace'?: string;
      'logging.googleapis.com/labels'?: {user?: string};
    };
    const entries = deepLines.map(l => JSON.parse(l) as Line);
    const byTrace = Object.fromEntries(
      entries.map(e => [
        e['logging.googleapis.com/trace'],
        e['logging.googleapis.com/labels']?.user,
      ]),
    );
    expect(byTrace).toEqual({
      'projects/test-project/traces/aaaa': expect.stringContaining('@'),
      'projects/test-project/traces/bbbb': 'bob@example.com',
    });
    expect(byTrace['projects/test-project/traces/aaaa']).not.toBe(
      'bob@example.com',
    );
    // Outside a request, the same logger carries neither.
    deepLogger.info('after');
    const after = JSON.parse(deepLines.at(-1)!) as Record<string, unknown>;
    expect(after['logging.googleapis.com/trace']).toBeUndefined();
    expect(after['logging.googleapis.com/labels']).toBeUndefined();
  });
});

import {
  ConflictError,
  GooglePermissionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../errors';
import {authFor, isPlainHttp, metadataServerCredentials} from './auth';
import {callGoogle, describeFailure, translate} from './edge';
import {makeMemoryLogger} from '../log';

const site = {
  method: 'cloudresourcemanager.projects.setIamPolicy',
  permission: 'resourcemanager.projects.setIamPolicy',
  resource: 'project p1',
};
const policy = {
  deadlineMs: 1000,
  attemptMs: 1000,
  initialDelayMs: 1,
  maxDelayMs: 2,
  maxAttempts: 4,
};

describe('translating Google errors', () => {
  it.each([
    [400, InvalidArgumentError],
    [401, UnavailableError],
    [403, GooglePermissionError],
    [404, NotFoundError],
    [409, ConflictError],
    [412, ConflictError],
    [429, UnavailableError],
    [503, UnavailableError],
  ])('turns HTTP %i into %p', (httpStatus, type) => {
    const err = translate(site, {httpStatus, message: 'm'}, undefined);
    expect(err).toBeInstanceOf(type);
    expect(err).not.toHaveProperty('code');
  });

  it.each([
    [
      site,
      'Cloud Resource Manager refused the request (setIamPolicy): the policy is not valid',
    ],
    [
      {method: 'cloudasset.searchAllIamPolicies'},
      'Cloud Asset Inventory refused the request (searchAllIamPolicies): the query is not valid',
    ],
    [
      {method: 'cloudidentity.groups.lookup'},
      'Cloud Identity refused the request (lookup): the request is not valid',
    ],
    [
      {method: 'example.things.get'},
      'Google refused the request (example.things.get): the request is not valid',
    ],
  ])("answers a 400 from %j with a fixed message, not Google's", (s, text) => {
    const err = translate(
      s,
      {httpStatus: 400, message: 'Google says: field policy.x is bad'},
      undefined,
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe(text);
  });

  it("logs a 400's Google message instead of answering it, and does not retry it", async () => {
    const {logger, entries} = makeMemoryLogger();
    const google = 'Invalid JSON payload received. Unknown name "secretField"';
    let attempts = 0;
    const err = await callGoogle(site, logger, policy, async () => {
      attempts++;
      throw Object.assign(new Error('Request failed with status code 400'), {
        status: 400,
        response: {
          status: 400,
          data: {
            error: {code: 400, status: 'INVALID_ARGUMENT', message: google},
          },
        },
      });
    }).catch((e: unknown) => e as Error);
    expect(attempts).toBe(1);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).not.toContain(google);
    expect(err.message).not.toContain('secretField');
    expect(err.message).toContain('setIamPolicy');
    expect(entries()).toContainEqual(
      expect.objectContaining({
        severity: 'WARNING',
        api: site.method,
        httpStatus: 400,
        status: 'INVALID_ARGUMENT',
        googleMessage: google,
      }),
    );
  });

  it("prefers the permission Google names over the call site's", () => {
    const err = translate(
      site,
      {
        httpStatus: 403,
        message:
          "Permission 'resourcemanager.projects.getIamPolicy' denied on resource '//x' (or it may not exist).",
      },
      undefined,
    ) as GooglePermissionError;
    expect(err.permission).toBe('resourcemanager.projects.getIamPolicy');
  });

  it.each([
    ['a gaxios error', {status: 429, response: {status: 429, data: {}}}, 429],
    [
      'a refused connection',
      Object.assign(new Error('x'), {code: 'ECONNREFUSED'}),
      0,
    ],
    [
      'a connection closed under fetch (the socket error two causes down)',
      new Error('fetch failed', {
        cause: new TypeError('fetch failed', {
          cause: Object.assign(new Error('other side closed'), {
            name: 'SocketError',
            code: 'UND_ERR_SOCKET',
          }),
        }),
      }),
      0,
    ],
  ])('reads %s', (_what, err, httpStatus) => {
    expect(describeFailure(err)?.httpStatus).toBe(httpStatus);
  });

  it('leaves a programming error alone, unretried', async () => {
    let attempts = 0;
    const bug = new TypeError('x is not a function');
    await expect(
      callGoogle(site, makeMemoryLogger().logger, policy, async () => {
        attempts++;
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(attempts).toBe(1);
  });

  it('retries a dropped connection', async () => {
    let attempts = 0;
    const result = await callGoogle(
      site,
      makeMemoryLogger().logger,
      policy,
      async () => {
        if (++attempts < 3) {
          throw Object.assign(new Error('reset'), {code: 'ECONNRESET'});
        }
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(attempts).toBe(3);
  });
});

describe('credentials', () => {
  it.each([
    ['http://127.0.0.1:8085', 'anonymous'],
    ['https://cloudasset.googleapis.com', 'adc'],
    [undefined, 'adc'],
  ])('uses %s with %s credentials', (endpoint, kind) => {
    expect(isPlainHttp(endpoint)).toBe(kind === 'anonymous');
    expect(authFor(endpoint).kind).toBe(kind);
  });
});

describe('ADC from the metadata server, built directly', () => {
  const WELL_KNOWN =
    '/home/u/.config/gcloud/application_default_credentials.json';
  const none = () => false;
  it.each([
    ['on Cloud Run', {K_SERVICE: 'jit', HOME: '/home/u'}, none, true],
    ['with GCE_METADATA_HOST', {GCE_METADATA_HOST: '127.0.0.1:1'}, none, true],
    ['nowhere known to have a metadata server', {HOME: '/home/u'}, none, false],
    [
      'with a key file named',
      {K_SERVICE: 'jit', GOOGLE_APPLICATION_CREDENTIALS: '/k.json'},
      none,
      false,
    ],
    [
      "with gcloud's user credentials",
      {K_SERVICE: 'jit', HOME: '/home/u'},
      (p: string) => p === WELL_KNOWN,
      false,
    ],
  ])('%s', (_what, env, exists, expected) => {
    expect(metadataServerCredentials(env, exists)).toBe(expected);
  });
});

/**
 * BACKEND_CONNECT_TIMEOUT, BACKEND_READ_TIMEOUT and BACKEND_WRITE_TIMEOUT:
 * an attempt of a Google call is cut after their sum, and Policy Analyzer is
 * told the read timeout as its executionTimeout (as upstream does).
 */
import * as http from 'node:http';
import {AddressInfo} from 'node:net';
import {loadConfig} from '../../shared/config';
import {UnavailableError} from '../../shared/errors';
import {makeAssetInventoryClient} from '../../shared/google/asset';
import {DEFAULT_RETRY_POLICY, retryPolicy} from '../../shared/google/edge';
import {makeProjectSearchClient} from '../../shared/google/resource-manager';
import {makeMemoryLogger} from '../../shared/log';

/** A server that answers with `answer`, or never when it is undefined. */
async function startServer(answer?: unknown) {
  const urls: string[] = [];
  const pending: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    if (answer === undefined) pending.push(res);
    else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    urls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>(r => server.close(() => r()));
    },
  };
}

const ONE_SECOND_EACH = {
  BACKEND_CONNECT_TIMEOUT: '1',
  BACKEND_READ_TIMEOUT: '1',
  BACKEND_WRITE_TIMEOUT: '1',
};

describe('backend timeouts', () => {
  it("default to upstream's 5 / 20 / 5 seconds: an attempt may take 30 s", () => {
    const config = loadConfig({GOOGLE_CLOUD_PROJECT: 'jit-test-project'});
    expect(config.backend).toEqual({
      connectMs: 5000,
      readMs: 20000,
      writeMs: 5000,
    });
    expect(retryPolicy(undefined, config.backend)).toEqual(
      DEFAULT_RETRY_POLICY,
    );
  });

  it('cut an attempt at a server that does not answer after their sum', async () => {
    const silent = await startServer();
    try {
      const config = loadConfig({
        GOOGLE_CLOUD_PROJECT: 'jit-test-project',
        CLOUDRESOURCEMANAGER_ENDPOINT: silent.url,
        ...ONE_SECOND_EACH,
      });
      const search = makeProjectSearchClient(
        config,
        makeMemoryLogger().logger,
        {retry: {maxAttempts: 1}},
      );
      const started = Date.now();
      await expect(
        search.searchProjects('state:ACTIVE'),
      ).rejects.toBeInstanceOf(UnavailableError);
      const took = Date.now() - started;
      expect(silent.urls).toHaveLength(1);
      expect(took).toBeGreaterThanOrEqual(2900);
      expect(took).toBeLessThan(4500);
    } finally {
      await silent.close();
    }
  });

  it('give the whole call at least one attempt when they sum to more than 30 s', () => {
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'jit-test-project',
      BACKEND_READ_TIMEOUT: '60',
    });
    expect(retryPolicy(undefined, config.backend)).toMatchObject({
      attemptMs: 70_000,
      deadlineMs: 70_000,
    });
  });

  it("send the read timeout as Policy Analyzer's executionTimeout", async () => {
    const server = await startServer({mainAnalysis: {analysisResults: []}});
    try {
      const config = loadConfig({
        GOOGLE_CLOUD_PROJECT: 'jit-test-project',
        CLOUDASSET_ENDPOINT: server.url,
        BACKEND_READ_TIMEOUT: '42',
      });
      const assets = makeAssetInventoryClient(
        config,
        makeMemoryLogger().logger,
      );
      await assets.analyzeIamPolicy({
        scope: 'projects/jit-test-project',
        identity: 'user:alice@example.com',
      });
      expect(
        new URL(server.urls[0]!, server.url).searchParams.get(
          'executionTimeout',
        ),
      ).toBe('42s');
    } finally {
      await server.close();
    }
  });

  it.each([
    ['BACKEND_CONNECT_TIMEOUT', '0'],
    ['BACKEND_READ_TIMEOUT', '2.5'],
    ['BACKEND_WRITE_TIMEOUT', '301'],
  ])('refuse %s=%s at cold start', (name, value) => {
    expect(() =>
      loadConfig({GOOGLE_CLOUD_PROJECT: 'jit-test-project', [name]: value}),
    ).toThrow(
      `${name}="${value}": expected a whole number of seconds, from 1 to 300`,
    );
  });
});

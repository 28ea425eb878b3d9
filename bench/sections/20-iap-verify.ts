/**
 * Assertion verification per request, in process: the real verifier with
 * its keys and audience already cached (as on every request after the first),
 * logging into a sink that still serialises each line. Target: median <= 1 ms.
 */
import {performance} from 'perf_hooks';
import {loadConfig} from '../../shared/config';
import {makeIapVerifier} from '../../shared/iap';
import {makeLogger} from '../../shared/log';
import type {BackendServicePort, MetadataPort} from '../../shared/ports';
import {startBenchIap, BENCH_AUDIENCE} from '../lib/iap';
import type {BenchRow, BenchSection} from '../lib/section';
import {median, quantile} from '../lib/stats';

const WARM_UP = 500;
const SAMPLES = 5000;

const unused = () => Promise.reject(new Error('not used: IAP_AUDIENCE is set'));
const metadata: MetadataPort = {
  projectId: unused,
  projectNumber: unused,
  region: unused,
};
const backendServices: BackendServicePort = {getBackendServiceId: unused};

export const section: BenchSection = {
  title: 'IAP assertion verification (per request, warm)',
  async run(): Promise<BenchRow[]> {
    const iap = await startBenchIap();
    try {
      const verifier = makeIapVerifier({
        config: loadConfig(iap.env),
        metadata,
        backendServices,
        log: makeLogger(() => {}),
      });
      // Distinct users, as a busy instance sees them.
      const tokens = Array.from({length: 100}, (_, i) =>
        iap.signer.sign({email: `user${i}@example.com`, aud: BENCH_AUDIENCE}),
      );
      const headers = tokens.map(t => ({'x-goog-iap-jwt-assertion': t}));
      for (let i = 0; i < WARM_UP; i++)
        await verifier.verify(headers[i % headers.length]!);
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const h = headers[i % headers.length]!;
        const t0 = performance.now();
        await verifier.verify(h);
        samples.push(performance.now() - t0);
      }
      const note = `${SAMPLES} samples after ${WARM_UP} warm-up`;
      return [
        {
          metric: 'verify median',
          value: round(median(samples)),
          unit: 'ms',
          target: 1,
          note,
        },
        {
          metric: 'verify p99',
          value: round(quantile(samples, 0.99)),
          unit: 'ms',
          note,
        },
      ];
    } finally {
      await iap.close();
    }
  },
};

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Eligibility: Google API calls per `GET roles` with each
 * catalog, and the time to compute one user's roles over pre-fetched data
 * (5,000 bindings, 1,000 groups). See bench/eligibility.ts.
 */
import {runEligibilityBench} from '../eligibility';
import type {BenchSection} from '../lib/section';

export const section: BenchSection = {
  title: 'eligibility',
  run: runEligibilityBench,
};

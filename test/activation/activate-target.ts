/**
 * Registers target `activate` with functions-framework for route tests: the
 * real self-activation use case over the real activator and Resource Manager
 * adapter (against the fake Google Cloud the config points at), in-memory
 * eligibility, and the test's IAP verifier. Fast retries; no rate limit.
 */
import * as functions from '@google-cloud/functions-framework';
import {buildTarget} from '../../functions/targets';
import {makeActivator} from '../../shared/activation/activator';
import type {Config} from '../../shared/config';
import {makeProjectIamClient} from '../../shared/google/resource-manager';
import type {Logger} from '../../shared/log';
import type {GrantStore, IdentityVerifier, Notifier} from '../../shared/ports';
import type {EligibilityService} from '../../shared/eligibility/types';
import {servicesOver} from '../support/services';

export interface ActivateTargetParts {
  config: Config;
  log: Logger;
  verifier: IdentityVerifier;
  eligibility: EligibilityService;
  now: () => Date;
  /** The self-activation mail (NOTIFY_SELF_ACTIVATION). */
  notifier?: Notifier;
  /** The ledger; a store of its own on the emulator otherwise. */
  grants?: GrantStore;
}

export async function registerActivateTarget(
  name: string,
  parts: ActivateTargetParts,
): Promise<void> {
  const {config, log} = parts;
  functions.http(
    name,
    await buildTarget(
      'activate',
      servicesOver({
        config: {...config, rateLimitPerMinute: 0},
        log,
        verifier: parts.verifier,
        eligibility: parts.eligibility,
        activator: makeActivator({
          iam: makeProjectIamClient(config, log, {
            retry: {initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 5_000},
          }),
          log,
          initialDelayMs: 5,
          maxDelayMs: 20,
        }),
        ...(parts.notifier ? {notifier: parts.notifier} : {}),
        ...(parts.grants ? {grants: parts.grants} : {}),
        now: parts.now,
      }),
    ),
  );
}

/**
 * The package entry (`main`): registers every target of functions/targets.ts
 * with functions-framework.
 *
 * Configuration is parsed here, once per cold start: a bad value stops the
 * instance with one message listing every bad variable. A target is built on
 * its first request, and only the target actually served is built.
 */
import * as functions from '@google-cloud/functions-framework';
import {loadConfig} from '../shared/config';
import {ConfigurationError} from '../shared/errors';
import {makeLogger} from '../shared/log';
import {makeServices, once} from './deps';
import {buildTarget, TARGETS, type TargetName} from './targets';

const log = makeLogger();

function startup() {
  try {
    return makeServices(loadConfig(process.env), log);
  } catch (e) {
    if (e instanceof ConfigurationError) {
      log.log({
        severity: 'CRITICAL',
        message: e.message,
        labels: {event: 'config.invalid'},
      });
    }
    // Stop the cold start: Cloud Run reports the revision as failed.
    throw e;
  }
}

const services = startup();

for (const name of Object.keys(TARGETS) as TargetName[]) {
  const handler = once(() => buildTarget(name, services));
  functions.http(name, async (req, res) => (await handler())(req, res));
}

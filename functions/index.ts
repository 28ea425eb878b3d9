/**
 * The package entry (`main`): registers every target of functions/targets.ts
 * with functions-framework.
 *
 * Configuration is parsed here, once per cold start: a bad value stops the
 * instance with one message listing every bad variable. A target is built on
 * its first request, and only the target actually served is built.
 */
import * as functions from '@google-cloud/functions-framework';
import {loadConfig, type Config} from '../shared/config';
import {ConfigurationError} from '../shared/errors';
import {answerFrameworkErrors} from '../shared/http';
import {makeLogger} from '../shared/log';
import {makeServices, once} from './deps';
import {buildTarget, TARGETS, type TargetName} from './targets';

const log = makeLogger();

// Before functions-framework creates its Express app, which it does once
// this module has loaded (shared/http/framework-errors.ts).
answerFrameworkErrors(log);

/** What the configuration works with but should not be: logged once. */
function warnAbout(config: Config) {
  if (config.smtp.password !== undefined) {
    log.warn(
      'SMTP_PASSWORD is a plain environment variable, readable by anyone who can view the service: store the password in Secret Manager and set SMTP_SECRET instead',
      {event: 'config.plaintextSecret'},
    );
  }
  if (config.customerId !== undefined) {
    log.notice(
      'RESOURCE_CUSTOMER_ID is not needed: group memberships are looked up per user with Cloud Identity. It can be removed',
      {event: 'config.unneeded'},
    );
  }
}

function startup() {
  try {
    const config = loadConfig(process.env);
    warnAbout(config);
    return makeServices(config, log);
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

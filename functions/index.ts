/**
 * The package entry (`main`): registers every target with functions-framework.
 * Deploy one with `--function <target>` (Cloud Run) or serve one locally with
 * `functions-framework --target=<target>`.
 *
 * Configuration is parsed here, once per cold start: a bad value stops the
 * instance with one message listing every bad variable. Handlers are built
 * on the first request of the target actually served.
 */
import * as functions from '@google-cloud/functions-framework';
import type {HttpFunction} from '@google-cloud/functions-framework';
import {loadConfig} from '../shared/config';
import {ConfigurationError} from '../shared/errors';
import {makeLogger} from '../shared/log';
import {makeDeps, once, Deps} from './deps';

const log = makeLogger();

function startup(): Deps {
  try {
    return makeDeps(loadConfig(process.env), log);
  } catch (e) {
    if (e instanceof ConfigurationError) {
      log.log({
        severity: 'CRITICAL',
        message: e.message,
        labels: {event: 'config.invalid'},
      });
      // Stop the cold start: Cloud Run reports the revision as failed.
      throw e;
    }
    throw e;
  }
}

const deps = startup();

/** Defers building a target's handler (and loading its libraries) to its first request. */
function lazy(build: (deps: Deps) => HttpFunction): HttpFunction {
  const handler = once(() => build(deps));
  return (req, res) => handler()(req, res);
}

functions.http(
  'roles',
  lazy(d =>
    (require('./roles') as typeof import('./roles')).makeRolesFunction(d),
  ),
);
functions.http(
  'web',
  lazy(d => (require('./web') as typeof import('./web')).makeWebFunction(d)),
);
functions.http(
  'activate',
  lazy(d =>
    (require('./activate') as typeof import('./activate')).makeActivateFunction(
      d,
    ),
  ),
);
functions.http(
  'approve',
  lazy(d =>
    (require('./approve') as typeof import('./approve')).makeApproveFunction(d),
  ),
);
functions.http(
  'app',
  lazy(d => (require('./app') as typeof import('./app')).makeAppFunction(d)),
);

/**
 * The requests functions-framework refuses before any code of ours runs,
 * answered with our error JSON like every other refusal.
 *
 * functions-framework 5 parses every body (JSON, text, form, raw) and routes
 * on a decoded path in its own Express app, before it calls the function. A
 * malformed JSON body or a malformed path escape goes to Express's final
 * handler, which answers an HTML page carrying the stack trace unless
 * NODE_ENV=production (and a bare HTML "Bad Request" even then). The
 * framework offers no hook for it: the app is created inside `getServer` and
 * never handed out, the user function is mounted as a route (routes never
 * see errors), and its issue for passing these errors on is open upstream
 * (GoogleCloudPlatform/functions-framework-nodejs#686).
 *
 * So this module gives every Express app created after it runs, in the copy
 * of Express that functions-framework loads, a final handler of ours: the
 * third argument of `app.handle(req, res, callback)`, the one Express itself
 * uses when an app is mounted inside another. It has to run before the
 * framework creates its app: functions/index.ts runs it while the framework
 * loads the function, and that is before `getServer`. A change in Express
 * that breaks it fails test/http/router.test.ts and
 * test/http/served-target.test.ts, which send these requests through the
 * framework's own server.
 */
import {createRequire} from 'module';
import type {IncomingMessage, ServerResponse} from 'http';
import type {Response} from '@google-cloud/functions-framework';
import {
  InvalidArgumentError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import type {Logger} from '../log';
import {sendError} from './router';

type FinalHandler = (err?: unknown) => void;

interface ExpressApplication {
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    callback?: FinalHandler,
  ): void;
}

/** Marks an Express whose apps already answer with our final handler. */
const INSTALLED = Symbol.for('jit-access.frameworkErrors');

/**
 * An error Express or body-parser raised, as one of ours: body-parser's carry
 * an HTTP status and a `type` (`entity.parse.failed` for JSON that does not
 * parse); Express's router gives a malformed path escape a 400. Anything
 * else is returned as it is, and answered as a logged 500.
 */
function toAppError(err: unknown): unknown {
  if (err === undefined) return new NotFoundError('Not found');
  if (typeof err !== 'object' || err === null) return err;
  const {status, type} = err as {status?: unknown; type?: unknown};
  if (type === 'entity.parse.failed') {
    return new InvalidArgumentError('The body is not valid JSON', {cause: err});
  }
  if (status === 413) {
    return new PayloadTooLargeError('The body is too large', {cause: err});
  }
  if (status === 415) {
    return new UnsupportedMediaTypeError(
      "The body's charset or encoding is not supported",
      {cause: err},
    );
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new InvalidArgumentError(
      err instanceof URIError
        ? 'The path is not valid'
        : 'The request is not valid',
      {cause: err},
    );
  }
  return err;
}

/**
 * Makes every Express app that functions-framework creates from now on
 * answer its own refusals with our error JSON. Idempotent.
 */
export function answerFrameworkErrors(log: Logger): void {
  // The Express functions-framework itself resolves, whichever copy that is.
  const load = createRequire(
    require.resolve('@google-cloud/functions-framework'),
  );
  const express = load('express') as {
    application: ExpressApplication & {[INSTALLED]?: true};
  };
  const app = express.application;
  if (app[INSTALLED]) return;
  const handle = app.handle;
  app.handle = function (req, res, callback) {
    handle.call(this, req, res, callback ?? finalHandler(req, res, log));
  };
  app[INSTALLED] = true;
}

function finalHandler(
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): FinalHandler {
  return err => {
    if (res.headersSent) {
      // Too late to answer: end the exchange, as Express's own handler does.
      if (err !== undefined) req.socket.destroy();
      return;
    }
    // Drain what is left of a refused body, so the connection can be reused.
    req.unpipe();
    req.resume();
    // Express has given `res` its response methods before any middleware runs.
    sendError(res as Response, toAppError(err), log);
  };
}

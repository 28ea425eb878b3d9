/**
 * A bare functions-framework hello-world: the yardstick the cold start of
 * our targets is measured against.
 */
import * as functions from '@google-cloud/functions-framework';

functions.http('hello', (_req, res) => {
  res.send('Hello, World');
});

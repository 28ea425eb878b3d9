/**
 * SMTP_ADDRESS_MAPPING: a CEL expression over `user.email` (the user's Cloud
 * Identity ID) that gives the address their mail goes to, as in JIT Access
 * 1.x, where an ID that is not a mailbox (a contractor's
 * `alice@external.example.com`) can be rewritten to one
 * (`user.email.extract('{handle}@external.example.com') + '@example.net'`).
 *
 * The expression is checked once, at cold start (shared/config.ts), and
 * evaluated by @marcbachmann/cel-js with upstream's `extract()` function.
 * The library is loaded only when the setting is used.
 */
import type * as Cel from '@marcbachmann/cel-js';
import {EMAIL_PATTERN} from '../limits';

/** Turns a user's email into the address to mail; throws AddressMappingError. */
export type AddressMapping = (email: string) => string;

/** Why an expression cannot be used, or why it failed for one user. */
export class AddressMappingError extends Error {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options);
    this.name = 'AddressMappingError';
  }
}

/**
 * IAM conditions' `extract()`
 * (https://cloud.google.com/iam/docs/conditions-attribute-reference#extract),
 * exactly as upstream implements it (cel/ExtractFunction.java): the text
 * between the template's prefix and suffix, `""` when they are not found,
 * and the value itself when the template has no `{…}`.
 */
export function extract(value: string, template: string): string {
  const open = template.indexOf('{');
  const close = template.indexOf('}');
  if (open < 0 || close < 0) return value;
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const at = value.indexOf(prefix);
  if (at < 0) return '';
  const afterPrefix = value.slice(at + prefix.length);
  if (suffix === '') return afterPrefix;
  const end = afterPrefix.indexOf(suffix);
  return end < 0 ? '' : afterPrefix.slice(0, end);
}

let environment: Cel.Environment | undefined;

function celEnvironment(): Cel.Environment {
  if (environment) return environment;
  // An ES module, loaded with require() (Node >= 20.19) only when the setting
  // is used: most deployments never pay for it.
  const cel =
    require('@marcbachmann/cel-js') as typeof import('@marcbachmann/cel-js');
  environment = new cel.Environment()
    .registerVariable('user', 'map<string, string>')
    .registerFunction({
      name: 'extract',
      receiverType: 'string',
      returnType: 'string',
      params: [{name: 'template', type: 'string'}],
      handler: (value: string, template: string) => extract(value, template),
    });
  return environment;
}

const compiled = new Map<string, AddressMapping>();

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0] ?? '';
}

/**
 * Checks `expression` (it must parse and yield a string) and returns the
 * mapping; the same expression is compiled once per instance. Throws
 * AddressMappingError naming what is wrong.
 */
export function compileAddressMapping(expression: string): AddressMapping {
  const known = compiled.get(expression);
  if (known) return known;
  const env = celEnvironment();
  let evaluate: (context: Record<string, unknown>) => unknown;
  try {
    const check = env.check(expression);
    if (!check.valid) {
      throw new AddressMappingError(firstLine(check.error));
    }
    if (check.type !== 'string' && check.type !== 'dyn') {
      throw new AddressMappingError(
        `the expression gives a ${check.type}, not a string`,
      );
    }
    evaluate = env.parse(expression) as typeof evaluate;
  } catch (e) {
    if (e instanceof AddressMappingError) throw e;
    throw new AddressMappingError(firstLine(e), {cause: e});
  }
  const mapping: AddressMapping = email => {
    let result: unknown;
    try {
      result = evaluate({user: {email}});
    } catch (e) {
      throw new AddressMappingError(firstLine(e), {cause: e});
    }
    if (typeof result !== 'string') {
      throw new AddressMappingError(`the result is a ${typeof result}`);
    }
    if (!EMAIL_PATTERN.test(result)) {
      throw new AddressMappingError(
        `the result ${JSON.stringify(result.slice(0, 100))} is not an email address`,
      );
    }
    return result;
  };
  compiled.set(expression, mapping);
  return mapping;
}

/**
 * The input checks that self-activation and activation requests share
 * (DESIGN §1, §2.1). Each throws InvalidArgumentError with a message that
 * says what is wrong and what is expected, and returns the checked value.
 *
 * Signatures:
 * - `checkJustification(value: unknown, config: Config): string`
 * - `checkDurationMinutes(value: unknown, config: Config): number`
 * - `checkProjectId(value: unknown): string`
 * - `MAX_JUSTIFICATION_LENGTH = 100`
 */
import type {Config} from '../config';
import {InvalidArgumentError} from '../errors';
import {isValidProjectId} from '../eligibility/names';

/**
 * As upstream: the justification goes into the condition description, which
 * IAM limits. Counted in UTF-16 code units, as Java's `length()` and the
 * browser's `maxlength` count.
 */
export const MAX_JUSTIFICATION_LENGTH = 100;

/**
 * A justification: present, a string, not blank, at most 100 characters,
 * matched whole by `JUSTIFICATION_PATTERN` (compiled once in the config).
 */
export function checkJustification(
  value: unknown,
  config: Pick<Config, 'justification'>,
): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(
      `A justification is required (${config.justification.hint})`,
    );
  }
  if (value.length > MAX_JUSTIFICATION_LENGTH) {
    throw new InvalidArgumentError(
      `The justification must be at most ${MAX_JUSTIFICATION_LENGTH} characters`,
    );
  }
  // The regex has no g or y flag, so test() keeps no state between calls.
  if (!config.justification.regex.test(value)) {
    throw new InvalidArgumentError(
      `The justification does not match the required format (${config.justification.hint})`,
    );
  }
  return value;
}

/** A duration: a whole number of minutes from 1 to `ACTIVATION_TIMEOUT`. */
export function checkDurationMinutes(
  value: unknown,
  config: Pick<Config, 'activation'>,
): number {
  const max = config.activation.maxMinutes;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > max
  ) {
    throw new InvalidArgumentError(
      `durationMinutes must be a whole number of minutes from 1 to ${max}`,
    );
  }
  return value;
}

/** A project ID as Resource Manager spells it (`my-project-123`). */
export function checkProjectId(value: unknown): string {
  if (typeof value !== 'string' || !isValidProjectId(value)) {
    const shown =
      typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : 'it';
    throw new InvalidArgumentError(`${shown} is not a valid project ID`);
  }
  return value;
}

/**
 * The input checks that self-activation and activation requests share
 * (docs/design.md §1, §2.1). Each throws InvalidArgumentError with a message that
 * says what is wrong and what is expected, and returns the checked value.
 */
import type {Config} from '../config';
import {InvalidArgumentError} from '../errors';
import {isValidProjectId, justificationProblem} from '../limits';

/**
 * A justification: present, a string, not blank, at most 100 characters,
 * matched whole by `JUSTIFICATION_PATTERN` (compiled once in the config).
 */
export function checkJustification(
  value: unknown,
  config: Pick<Config, 'justification'>,
): string {
  const problem = justificationProblem(value, config.justification);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return value as string;
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

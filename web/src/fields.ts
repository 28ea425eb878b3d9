/**
 * The form fields the activation and request forms share: the justification
 * (with the hint, checked against the pattern as the user types) and the
 * duration (bounded by the policy).
 */
import type {Policy} from './api.js';
import {formatDuration, h, uid} from './dom.js';
import {
  makeJustificationCheck,
  MAX_JUSTIFICATION_LENGTH,
} from './justification.js';

export interface JustificationField {
  element: HTMLElement;
  input: HTMLInputElement;
  /** Shows and returns the problem, or undefined when the text is fine. */
  validate(): string | undefined;
}

export function justificationField(policy: Policy): JustificationField {
  const id = uid('justification');
  const check = makeJustificationCheck(
    policy.justificationPattern,
    policy.justificationHint,
  );
  const error = h('p', {class: 'field-error', id: `${id}-error`});
  const input = h('input', {
    id,
    name: 'justification',
    type: 'text',
    required: true,
    maxlength: MAX_JUSTIFICATION_LENGTH,
    autocomplete: 'off',
    'aria-describedby': `${id}-hint ${id}-error`,
  });
  const validate = () => {
    const problem = check(input.value);
    error.textContent = problem ?? '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    return problem;
  };
  // Re-check while typing only once a problem has been shown.
  input.addEventListener('input', () => {
    if (error.textContent) validate();
  });
  const element = h(
    'div',
    {class: 'field'},
    h('label', {for: id}, 'Justification'),
    input,
    h('p', {class: 'hint', id: `${id}-hint`}, policy.justificationHint),
    error,
  );
  return {element, input, validate};
}

const DURATION_STEPS = [
  5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440, 2880, 10080,
];

export interface DurationField {
  element: HTMLElement;
  value(): number;
}

/** A choice of durations up to the policy's maximum, the default preselected. */
export function durationField(policy: Policy): DurationField {
  const id = uid('duration');
  const max = policy.maxActivationMinutes;
  const values = new Set(DURATION_STEPS.filter(m => m < max));
  values.add(max);
  values.add(Math.min(policy.defaultActivationMinutes, max));
  const select = h(
    'select',
    {id, name: 'duration'},
    [...values]
      .sort((a, b) => a - b)
      .map(m =>
        h(
          'option',
          {value: m, selected: m === policy.defaultActivationMinutes},
          formatDuration(m),
        ),
      ),
  );
  const element = h(
    'div',
    {class: 'field'},
    h('label', {for: id}, 'Duration'),
    select,
  );
  return {element, value: () => Number(select.value)};
}

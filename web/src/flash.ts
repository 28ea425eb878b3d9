/**
 * The page's message area: successes are announced politely, errors as
 * alerts. An API error is shown as its message, never swallowed.
 */
import {h, replace, Child} from './dom.js';

function area(): HTMLElement {
  return document.getElementById('flash')!;
}

/** Shows a success message (replacing the previous one). */
export function showSuccess(...message: Child[]): void {
  replace(area(), h('p', {class: 'notice ok'}, message));
}

export function clearFlash(): void {
  replace(area());
}

/** The text to show for an error: the API's message when there is one. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** An inline error under a form (role=alert so screen readers hear it). */
export function inlineError(error: unknown): HTMLElement {
  return h('p', {class: 'notice error', role: 'alert'}, errorText(error));
}

/**
 * The justification rules of DESIGN §1, checked before sending: not blank,
 * at most 100 characters, and matched whole against the configured pattern,
 * compiled exactly as the server compiles it.
 */

export const MAX_JUSTIFICATION_LENGTH = 100;

/** Returns a checker: undefined when the text is acceptable, else why not. */
export function makeJustificationCheck(
  pattern: string,
  hint: string,
): (text: string) => string | undefined {
  let regex: RegExp | undefined;
  try {
    regex = new RegExp('^(?:' + pattern + ')$', 'u');
  } catch {
    // The server refused to start with such a pattern; let it judge.
    regex = undefined;
  }
  return text => {
    if (text.trim() === '') return 'Enter a justification.';
    if (text.length > MAX_JUSTIFICATION_LENGTH) {
      return `The justification is longer than ${MAX_JUSTIFICATION_LENGTH} characters.`;
    }
    if (regex && !regex.test(text)) {
      return `The justification does not have the expected form (${hint}).`;
    }
    return undefined;
  };
}

/**
 * The justification rules, checked before sending: the server's own
 * (shared/limits.ts), compiled and worded exactly as the server compiles and
 * words them, so the page never accepts what the API refuses or the reverse.
 */
import {
  compileJustificationPattern,
  justificationProblem,
} from '../../shared/limits';

export {MAX_JUSTIFICATION_LENGTH} from '../../shared/limits';

/** Returns a checker: undefined when the text is acceptable, else why not. */
export function makeJustificationCheck(
  pattern: string,
  hint: string,
): (text: string) => string | undefined {
  const compiled = compileJustificationPattern(pattern);
  // The server refuses to start with such a pattern; let it judge.
  const regex = 'regex' in compiled ? compiled.regex : /^[\s\S]*$/;
  return text => justificationProblem(text, {regex, hint});
}

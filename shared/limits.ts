/**
 * Input limits and patterns: the one place where the API, the configuration
 * and the web UI (which bundles this module) read how long a field may be and
 * what a project ID, a role name, an email address, a justification or other
 * free text must look like. Pure: no Node.js module, no I/O, so that web/ can import it.
 */

/**
 * As upstream: the justification goes into the condition description, which
 * IAM limits. Counted in UTF-16 code units, as Java's `length()` and the
 * browser's `maxlength` count.
 */
export const MAX_JUSTIFICATION_LENGTH = 100;

/** IAM limits a condition expression to 12,800 characters. */
export const MAX_CONDITION_LENGTH = 12_800;

/** A deny reason or an approval comment. */
export const MAX_REASON_LENGTH = 500;

/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_LENGTH = 254;

/** The largest POST body the API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/** IAM refuses a condition description longer than this. */
export const MAX_CONDITION_DESCRIPTION_LENGTH = 256;

// A project ID: 6 to 30 characters, lower-case letters, digits and hyphens,
// starting with a letter, not ending with a hyphen. Legacy domain-scoped IDs
// (`example.com:my-project`) are accepted as Google still serves them.
const PROJECT_ID_SOURCE = '(?:[a-z0-9.-]{1,253}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]';
export const PROJECT_ID_PATTERN = new RegExp(`^${PROJECT_ID_SOURCE}$`);

/** `projects/<id>`, `folders/<n>` or `organizations/<n>`. */
export const SCOPE_PATTERN = new RegExp(
  `^(?:projects/${PROJECT_ID_SOURCE}|folders/[0-9]{1,20}|organizations/[0-9]{1,20})$`,
);

// Predefined roles (`roles/x.y`) and custom roles of a project or organization.
const ROLE_NAME_PATTERN = new RegExp(
  `^(?:roles/[A-Za-z0-9_.]{1,128}|projects/${PROJECT_ID_SOURCE}/roles/[A-Za-z0-9_.]{1,64}|organizations/[0-9]{1,20}/roles/[A-Za-z0-9_.]{1,64})$`,
);

/** An email address as the API and the configuration accept it. */
export const EMAIL_PATTERN =
  /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Request ids are 128 random bits in base64url: exactly 22 characters. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Whether `id` is a well-formed project ID. */
export function isValidProjectId(id: string): boolean {
  return PROJECT_ID_PATTERN.test(id);
}

/** Whether `role` is a well-formed IAM role name. */
export function isValidRoleName(role: string): boolean {
  return ROLE_NAME_PATTERN.test(role);
}

/** Whether `email` is an address we accept (at most 254 characters). */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(email);
}

// Java regular-expression constructs that JavaScript lacks or reads
// differently; upstream compiles JUSTIFICATION_PATTERN with java.util.regex.
const JAVA_ONLY_CONSTRUCTS: Array<[RegExp, string]> = [
  [/(?:[*+?]|\{\d+(?:,\d*)?\})\+/, 'possessive quantifier (*+, ++, ?+, {n}+)'],
  [/\(\?>/, 'atomic group (?>…)'],
  [/\(\?[a-zA-Z]+\)/, 'inline flag group such as (?i)'],
  [/\(\?[a-zA-Z]*-?[a-zA-Z]*:/, 'inline flag group such as (?i:…)'],
  [/\\[AZzG]/, 'boundary \\A, \\Z, \\z or \\G'],
  [/\\Q/, 'quotation \\Q…\\E'],
  [/\\[hHR]/, 'class \\h, \\H or \\R'],
  [
    /\\[pP]\{(?:java\w+|Lower|Upper|ASCII|Alpha|Digit|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space|Is\w+|In\w+)\}/,
    'Java character class \\p{…}',
  ],
  [/\[[^\]]*&&/, 'character class intersection [a&&b]'],
];

/**
 * Compiles JUSTIFICATION_PATTERN: matched against the whole text, with the
 * u flag; Java-only constructs are refused with their name.
 * The server and the UI compile it here, so they agree on one rule.
 */
export function compileJustificationPattern(
  pattern: string,
): {regex: RegExp} | {error: string} {
  // Escaped characters (\\+, \\{) are literals: blank them out for the quantifier checks.
  const unescaped = pattern.replace(/\\[^A-Za-z]/g, 'x');
  for (const [detector, name] of JAVA_ONLY_CONSTRUCTS) {
    if (detector.test(unescaped)) {
      return {
        error: `uses a Java-only construct: ${name}; write it as a JavaScript (u-flag) regular expression`,
      };
    }
  }
  try {
    return {regex: new RegExp('^(?:' + pattern + ')$', 'u')};
  } catch (e) {
    return {
      error: `is not a valid regular expression (${(e as Error).message})`,
    };
  }
}

// Free text (a justification, a deny reason, an approval comment) is one line
// of plain text: it is shown in mails, on the request page and in IAM
// condition descriptions, where a line break could pass for our own text and
// a bidirectional control could make it read differently from what it says.
// The marks U+200E, U+200F and U+061C are kept: they only steer the
// neighbouring neutral characters, and right-to-left text needs them.

/** C0 and C1 controls, DEL, and the line and paragraph separators. */
function isControl(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029
  );
}

/** Bidirectional embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
function isBidiControl(code: number): boolean {
  return (
    (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)
  );
}

function codePoint(code: number): string {
  return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * What is wrong with the characters of free text, or undefined when there is
 * nothing: `field` names it in the sentence ("The reason").
 */
export function freeTextProblem(
  field: string,
  value: string,
): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isControl(code)) {
      return `${field} must not contain control characters such as line breaks or tabs (found ${codePoint(code)})`;
    }
    if (isBidiControl(code)) {
      return `${field} must not contain bidirectional formatting characters, which can make text read differently from what it says (found ${codePoint(code)})`;
    }
  }
  return undefined;
}

/**
 * What is wrong with a deny reason or an approval comment, or undefined:
 * at most 500 characters, one line, no bidirectional formatting characters.
 * (Whether a reason is required is the deny rule's to say.)
 */
export function reasonProblem(
  field: 'reason' | 'comment',
  text: string,
): string | undefined {
  if (text.length > MAX_REASON_LENGTH) {
    return `The ${field} must be at most ${MAX_REASON_LENGTH} characters`;
  }
  return freeTextProblem(`The ${field}`, text);
}

/**
 * `text` with every character that free text may not hold replaced by U+FFFD,
 * to show text stored before the rule, or from elsewhere, without its
 * controls. Split lines first where line breaks matter.
 */
export function replaceUnsafeCharacters(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += isControl(code) || isBidiControl(code) ? '\uFFFD' : text[i];
  }
  return out;
}

/** A compiled justification rule, as the configuration holds it. */
export interface JustificationRule {
  regex: RegExp;
  /** JUSTIFICATION_HINT: shown to the user with every refusal. */
  hint: string;
}

/**
 * What is wrong with a justification, or undefined when it is acceptable:
 * present, not blank, at most 100 characters, free of control and
 * bidirectional formatting characters, matched whole by the pattern.
 */
export function justificationProblem(
  value: unknown,
  rule: JustificationRule,
): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return `A justification is required (${rule.hint})`;
  }
  if (value.length > MAX_JUSTIFICATION_LENGTH) {
    return `The justification must be at most ${MAX_JUSTIFICATION_LENGTH} characters`;
  }
  const characters = freeTextProblem('The justification', value);
  if (characters !== undefined) return characters;
  // The regex has no g or y flag, so test() keeps no state between calls.
  if (!rule.regex.test(value)) {
    return `The justification does not match the required format (${rule.hint})`;
  }
  return undefined;
}

/** A Google service account's email (`…@….gserviceaccount.com`). */
export function isServiceAccountEmail(email: string): boolean {
  return /@[^@]*\.?gserviceaccount\.com$/i.test(email);
}

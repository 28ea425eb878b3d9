/**
 * HTML that escapes every interpolated value by construction: the only way to
 * build a SafeHtml is the `html` tag, which escapes each value unless it is
 * itself SafeHtml. There is no "raw" escape hatch.
 */

const MARK = Symbol('SafeHtml');

/** A fragment of HTML built only by the `html` tag. */
export interface SafeHtml {
  readonly [MARK]: string;
}

export type HtmlValue = string | number | SafeHtml | readonly SafeHtml[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, c => ENTITIES[c]!);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && MARK in value;
}

function render(value: HtmlValue): string {
  if (isSafe(value)) return value[MARK];
  if (Array.isArray(value)) return value.map(v => render(v)).join('');
  return escapeHtml(String(value));
}

/** The tag: html`<p>${userText}</p>` escapes userText. */
export function html(
  strings: TemplateStringsArray,
  ...values: HtmlValue[]
): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return {[MARK]: out};
}

/** The markup of a fragment, for sending. */
export function toHtmlString(fragment: SafeHtml): string {
  return fragment[MARK];
}

/**
 * A URL fit for an href: only http(s), else undefined. Escaping alone does
 * not stop `javascript:` links.
 */
export function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:'
      ? u.href
      : undefined;
  } catch {
    return undefined;
  }
}

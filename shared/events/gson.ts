/**
 * The text of an event exactly as JIT Access 1.x publishes it
 * (docs/design.md §2.2): upstream collects the attributes in a Java `HashMap`
 * under upper-case names, copies them in the map's iteration order under
 * lower-case names, and serializes `{"type", "attributes"}` with a default
 * `new Gson()`, which escapes `< > & = '` for HTML. A subscriber that compares
 * bytes, or hashes them, sees the same message from us.
 *
 * test/fixtures/pubsub-events.json holds upstream's own output to check this
 * against.
 */

/** A value as upstream serializes it: everything a string, user lists arrays. */
export type EventValue = string | readonly string[];

/** Java's `String.hashCode()` (UTF-16 code units, 32-bit overflow). */
function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/**
 * The order in which a `new HashMap<>()` that received `keys` by `put`, in
 * this order, iterates them: by bucket (the spread hash masked by the table
 * size, which doubles from 16 whenever more than three quarters full), and
 * within a bucket in insertion order (resizing keeps it). A bucket would turn
 * into a tree only past eight keys in a table of at least 64: never here.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = javaHashCode(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((key, index) => ({key, index, bucket: bucket(key)}))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map(e => e.key);
}

// Gson's JsonWriter with HTML-safe escaping (its default): control
// characters as \u00xx except the five with short forms, the quote and the
// backslash, the HTML characters, and the two JavaScript line separators.
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\t': '\\t',
  '\b': '\\b',
  '\n': '\\n',
  '\r': '\\r',
  '\f': '\\f',
};

/** A JSON string literal as Gson writes it. */
export function gsonString(value: string): string {
  return (
    '"' +
    value.replace(
      // Control characters are exactly what this escapes.
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f"\\<>&='\u2028\u2029]/g,
      c =>
        SHORT_ESCAPES[c] ??
        '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
    ) +
    '"'
  );
}

/**
 * `{"type":…,"attributes":{…}}` as upstream's Gson writes it. `attributes`
 * are in the order upstream puts them (the table of shared/events/events.ts),
 * named in lower case; the map's order is worked out from their upper-case
 * names, as upstream hashes them.
 */
export function formatEvent(
  type: string,
  attributes: ReadonlyArray<readonly [string, EventValue]>,
): string {
  const byName = new Map(attributes.map(([k, v]) => [k.toUpperCase(), v]));
  const fields = javaHashMapOrder([...byName.keys()]).map(name => {
    const value = byName.get(name)!;
    const json =
      typeof value === 'string'
        ? gsonString(value)
        : `[${value.map(gsonString).join(',')}]`;
    return `${gsonString(name.toLowerCase())}:${json}`;
  });
  return `{"type":${gsonString(type)},"attributes":{${fields.join(',')}}}`;
}

/**
 * An instant as Java's `Instant.toString()` writes one of millisecond
 * precision: whole seconds without a fraction, else three digits.
 */
export function javaInstant(at: Date | string): string {
  const iso = (typeof at === 'string' ? new Date(at) : at).toISOString();
  return iso.replace(/\.000Z$/, 'Z');
}

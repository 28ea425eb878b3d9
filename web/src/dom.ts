/**
 * A tiny DOM builder. Text always goes in as text nodes and attributes through
 * setAttribute, so data from the API can never become markup; the page's
 * Trusted Types policy makes innerHTML with a string throw anyway.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (event: Event) => void;

/** Attributes (strings, numbers, booleans) and `on<event>` listeners. */
export type Props = Record<
  string,
  string | number | boolean | Handler | undefined
>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Creates an element: `h('button', {type: 'button', onclick: f}, 'Approve')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else if (/^on/i.test(name) || /html$/i.test(name)) {
      // Never an inline handler or markup from a string.
      throw new Error(`h(): refusing attribute ${name}`);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** `1 h 30 min`, `45 min`, `2 days`. */
export function formatDuration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m >= 1440 && m % 1440 === 0) {
    return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  }
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** `42 min left`, or `expired`. */
export function formatTimeLeft(until: string, now = Date.now()): string {
  const ms = Date.parse(until) - now;
  if (!(ms > 0)) return 'expired';
  return `${formatDuration(Math.ceil(ms / 60000))} left`;
}

/** A local date and time, short. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameDay = date.toDateString() === new Date().toDateString();
  return date.toLocaleString(undefined, {
    ...(sameDay ? {} : {month: 'short', day: 'numeric'}),
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A <time> element whose text is the local time and whose title is UTC. */
export function timeElement(iso: string | undefined): HTMLElement | string {
  if (!iso) return '';
  return h('time', {datetime: iso, title: iso}, formatTime(iso));
}

/**
 * A countdown that the page's ticker refreshes (see startTicker): the text
 * of every `[data-until]` element is recomputed twice a minute.
 */
export function countdown(until: string): HTMLElement {
  return h(
    'span',
    {'data-until': until, title: `until ${until}`},
    formatTimeLeft(until),
  );
}

/** Refreshes every countdown; calls onExpired once when one reaches zero. */
export function startTicker(onExpired: () => void): void {
  setInterval(() => {
    let expired = false;
    // NodeList.forEach: the DOM.Iterable typings are not in this project's lib.
    document.querySelectorAll<HTMLElement>('[data-until]').forEach(el => {
      const until = el.dataset.until ?? '';
      const text = formatTimeLeft(until);
      if (text === 'expired' && el.textContent !== 'expired') expired = true;
      el.textContent = text;
    });
    if (expired) onExpired();
  }, 30_000);
}

let idCounter = 0;
/** A unique element id, for label/aria wiring. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

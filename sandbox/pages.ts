/**
 * The sandbox's own pages (sign-in, mail, events): small server-rendered HTML in
 * which every value is escaped. They carry a CSP without any script.
 */
import {createHash} from 'crypto';
import type {
  WorldBinding,
  WorldChatMessage,
  WorldMessage,
  WorldPolicy,
} from './fake-gcp';
import type {SandboxMail} from './mail-sink';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const SANDBOX_PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const SANDBOX_CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:0 auto;padding:16px;color:#1f2328}
a{color:#0b57d0}h1{font-size:1.4rem}ul.users{list-style:none;padding:0}ul.users li{margin:6px 0}
ul.users a{display:inline-block;padding:8px 12px;border:1px solid #d1d9e0;border-radius:6px;text-decoration:none;min-width:260px}
.muted{color:#59636e}.mail{border:1px solid #d1d9e0;border-radius:8px;padding:10px 14px;margin:12px 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:8px;border-radius:6px}nav a{margin-right:12px}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/sandbox/style.css">
<link rel="icon" href="/static/favicon.ico"></head>
<body><nav><a href="/">JIT Access</a><a href="/sandbox/login">Sign in as…</a><a href="/sandbox/mail">Mail</a><a href="/sandbox/events">Events</a><a href="/sandbox/chat">Chat</a><a href="/sandbox/iam">IAM</a></nav>
${body}
</body></html>`;
}

export interface SandboxUser {
  email: string;
  displayName?: string;
}

/** The user list of /sandbox/login; `next` is kept on every link. */
export function loginPage(
  users: SandboxUser[],
  signedIn: string | undefined,
  next: string | undefined,
): string {
  const suffix = next ? `&next=${encodeURIComponent(next)}` : '';
  const items = users
    .map(
      u =>
        `<li><a href="/sandbox/login?as=${encodeURIComponent(u.email)}${escapeHtml(suffix)}">${escapeHtml(u.email)}</a>` +
        (u.displayName
          ? ` <span class="muted">${escapeHtml(u.displayName)}</span>`
          : '') +
        '</li>',
    )
    .join('\n');
  return layout(
    'Sign in · JIT Access sandbox',
    `<h1>Sign in to the sandbox</h1>
<p>This stand-in for Identity-Aware Proxy signs a real IAP assertion for the user you choose.${
      signedIn
        ? ` You are signed in as <strong>${escapeHtml(signedIn)}</strong> (<a href="/sandbox/logout">sign out</a>).`
        : ''
    }</p>
<ul class="users">
${items}
</ul>`,
  );
}

/** The mails the sink received, newest first; links are the mail's own. */
export function mailPage(mails: readonly SandboxMail[]): string {
  const list = [...mails].reverse();
  const items = list
    .map(
      m => `<article class="mail" id="mail-${m.id}">
<h2>${escapeHtml(m.subject || '(no subject)')}</h2>
<p class="muted">To ${escapeHtml(m.to.join(', '))} · from ${escapeHtml(m.from)} · ${escapeHtml(m.receivedAt)}</p>
${
  m.links.length
    ? `<ul class="links">${m.links
        .map(
          l =>
            `<li><a class="mail-link" href="${escapeHtml(l)}">${escapeHtml(l)}</a></li>`,
        )
        .join('')}</ul>`
    : ''
}
<pre>${escapeHtml(m.text)}</pre>
</article>`,
    )
    .join('\n');
  return layout(
    'Mail · JIT Access sandbox',
    `<h1>Mail sent by the functions</h1>
<p class="muted">${list.length} mail${list.length === 1 ? '' : 's'}, newest first (also as <a href="/sandbox/mail.json">JSON</a>). Reload to see new ones.</p>
${items || '<p>No mail yet.</p>'}`,
  );
}

/** A message's data: the event (UTF-8 JSON), or the text when not JSON. */
export function decodeMessage(m: WorldMessage): unknown {
  const text = Buffer.from(m.data ?? '', 'base64').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function messageText(m: WorldMessage): string {
  const data = decodeMessage(m);
  return typeof data === 'string' ? data : JSON.stringify(data, null, 2);
}

/** The messages published to NOTIFICATION_TOPIC, newest first. */
export function eventsPage(
  topic: string | undefined,
  messages: readonly WorldMessage[],
): string {
  const list = [...messages].reverse();
  const items = list
    .map(
      m => `<article class="mail" id="event-${escapeHtml(m.messageId)}">
<p class="muted">Message ${escapeHtml(m.messageId)} · ${escapeHtml(m.publishTime)}</p>
<pre>${escapeHtml(messageText(m))}</pre>
</article>`,
    )
    .join('\n');
  return layout(
    'Events · JIT Access sandbox',
    `<h1>Events published to Pub/Sub</h1>
<p class="muted">${
      topic
        ? `Topic ${escapeHtml(topic)} of the fake Google Cloud: ${list.length} message${list.length === 1 ? '' : 's'}, newest first (also as <a href="/sandbox/events.json">JSON</a>). Reload to see new ones.`
        : 'NOTIFICATION_TOPIC is not set: no events are published.'
    }</p>
${items || '<p>No events yet.</p>'}`,
  );
}

/** A short page for errors of the stand-in itself. */
export function messagePage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`,
  );
}

/** An activation binding in the fake's policies (title `JIT access activation`). */
export interface ActivationBindingRow {
  /** Names the binding in a form: resource, role, members and expression. */
  key: string;
  resource: string;
  binding: WorldBinding;
}

export function activationBindings(
  policies: Record<string, WorldPolicy>,
): ActivationBindingRow[] {
  return Object.entries(policies).flatMap(([resource, policy]) =>
    (policy.bindings ?? [])
      .filter(b => b.condition?.title === 'JIT access activation')
      .map(binding => ({
        key: createHash('sha256')
          .update(
            JSON.stringify([
              resource,
              binding.role,
              binding.members,
              binding.condition?.expression,
            ]),
          )
          .digest('base64url')
          .slice(0, 22),
        resource,
        binding,
      })),
  );
}

/**
 * /sandbox/iam: the activation bindings in the fake's IAM policies, each with
 * a button that removes it as someone editing the policy outside JIT Access
 * would (then an auditor can run reconciliation under My access).
 */
export function iamPage(
  policies: Record<string, WorldPolicy>,
  token: string,
): string {
  const rows = activationBindings(policies)
    .map(
      r => `<tr><td>${escapeHtml(r.resource)}</td><td><code>${escapeHtml(r.binding.role)}</code></td><td>${escapeHtml(r.binding.members.join(', '))}</td><td><code>${escapeHtml(r.binding.condition?.expression ?? '')}</code></td>
<td><form method="post" action="/sandbox/iam?binding=${encodeURIComponent(r.key)}&amp;token=${encodeURIComponent(token)}"><button type="submit">Remove outside JIT Access</button></form></td></tr>`,
    )
    .join('\n');
  return layout(
    'IAM · JIT Access sandbox',
    `<h1>Activation bindings in the fake Google Cloud</h1>
<p class="muted">What JIT Access wrote to the IAM policies. Removing one here is an edit outside JIT Access: reconciliation (My access, as an auditor such as grace@example.com) then flags the grant as changed outside.</p>
${rows ? `<table><tr><th>Resource</th><th>Role</th><th>Members</th><th>Condition</th><th></th></tr>${rows}</table>` : '<p>No activation bindings.</p>'}`,
  );
}

/**
 * Card text as Google Chat shows it: Chat reads `<b>`, `</b>` and `<br>`
 * and the entities `&lt;` `&gt;` `&amp;` `&quot;`; everything else is text,
 * shown escaped here.
 */
export function chatTextHtml(text: string): string {
  return text
    .split(/(<\/?b>|<br>)/)
    .map(piece =>
      /^(<\/?b>|<br>)$/.test(piece)
        ? piece
        : escapeHtml(
            piece
              .replace(/&lt;/g, '<')
              .replace(/&gt;/g, '>')
              .replace(/&quot;/g, '"')
              .replace(/&amp;/g, '&'),
          ),
    )
    .join('');
}

interface ChatButton {
  text: string;
  onClick?: {
    action?: {function?: string};
    openLink?: {url?: string};
  };
}

interface ChatWidget {
  decoratedText?: {topLabel?: string; text?: string};
  buttonList?: {buttons?: ChatButton[]};
}

interface ChatCard {
  card?: {
    header?: {title?: string; subtitle?: string};
    sections?: Array<{widgets?: ChatWidget[]}>;
  };
}

/** One card, with its buttons as forms that click as the chosen user. */
function chatCardHtml(
  m: WorldChatMessage,
  users: SandboxUser[],
  chooser: string | undefined,
  token: string,
): string {
  const cards = (m.cardsV2 ?? []) as ChatCard[];
  const options = users
    .map(
      u =>
        `<option value="${escapeHtml(u.email)}"${u.email === chooser ? ' selected' : ''}>${escapeHtml(u.email)}</option>`,
    )
    .join('');
  return cards
    .map(({card}) => {
      const rows: string[] = [];
      const buttons: string[] = [];
      for (const w of (card?.sections ?? []).flatMap(s => s.widgets ?? [])) {
        if (w.decoratedText) {
          rows.push(
            `<tr><th>${escapeHtml(w.decoratedText.topLabel ?? '')}</th><td>${chatTextHtml(w.decoratedText.text ?? '')}</td></tr>`,
          );
        }
        for (const b of w.buttonList?.buttons ?? []) {
          const fn = b.onClick?.action?.function;
          const link = b.onClick?.openLink?.url;
          if (fn) {
            const action = `/sandbox/chat?message=${encodeURIComponent(m.name)}&fn=${encodeURIComponent(fn)}&token=${encodeURIComponent(token)}`;
            buttons.push(
              `<form method="post" action="${escapeHtml(action)}">` +
                (fn === 'deny'
                  ? '<input name="reason" placeholder="Reason" required> '
                  : '') +
                `<label>as <select name="as">${options}</select></label> <button type="submit">${escapeHtml(b.text)}</button></form>`,
            );
          } else if (link && /^https?:\/\//.test(link)) {
            buttons.push(
              `<a href="${escapeHtml(link)}">${escapeHtml(b.text)}</a>`,
            );
          }
        }
      }
      return `<article class="mail" id="${escapeHtml(m.name)}">
<p><b>${escapeHtml(card?.header?.title ?? '')}</b> <span class="muted">${escapeHtml(card?.header?.subtitle ?? '')}</span></p>
<p class="muted">${escapeHtml(m.name)} · posted ${escapeHtml(m.createTime)}${m.lastUpdateTime ? ` · updated ${escapeHtml(m.lastUpdateTime)}` : ''}</p>
<table>${rows.join('')}</table>
${buttons.join('\n')}
</article>`;
    })
    .join('\n');
}

/**
 * /sandbox/chat: the cards the app posted to the fake's Chat spaces, newest
 * first, whose buttons click as a chosen user: the stand-in signs Chat's
 * token and sends the event to the `chat` target, as Google Chat does.
 */
export function chatPage(
  space: string | undefined,
  messages: readonly WorldChatMessage[],
  users: SandboxUser[],
  signedIn: string | undefined,
  token: string,
  note: string | undefined,
): string {
  const items = [...messages]
    .reverse()
    .map(m => chatCardHtml(m, users, signedIn, token))
    .join('\n');
  return layout(
    'Chat · JIT Access sandbox',
    `<h1>Google Chat</h1>
<p class="muted">${
      space
        ? `Cards the Chat app posted to ${escapeHtml(space)} of the fake Google Cloud (also as <a href="/sandbox/chat.json">JSON</a>). A button clicks as the user you choose; reload to see updates.`
        : 'CHAT_SPACE is not set: no cards are posted.'
    }</p>
${note ? `<p class="mail">${escapeHtml(note)}</p>` : ''}
${items || '<p>No cards yet.</p>'}`,
  );
}

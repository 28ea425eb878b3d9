/**
 * Google Chat for tests: events as Chat sends them to the `chat` target,
 * signed by the Chat stand-in, and the texts and buttons of a card.
 */
import type {ChatSigner} from '../../sandbox/chat-signer';
import type {Harness} from '../approvals/harness';

/** Chat's numeric user name of a person, stable per email. */
export function chatUser(email: string): string {
  let n = 7;
  for (const c of email) n = (n * 31 + c.charCodeAt(0)) % 1e12;
  return `users/${n}`;
}

/** Sends events to a harness's `chat` target with Chat's project-number token. */
export function chatEvents(
  harness: () => Harness,
  signer: () => ChatSigner,
  projectNumber: string,
  space: string,
) {
  const send = (event: Record<string, unknown>, token?: string) =>
    harness()
      .chatHttp()
      .post('/chat')
      .set(
        'Authorization',
        `Bearer ${token ?? signer().projectNumberToken(projectNumber)}`,
      )
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(event));
  const click = (
    email: string,
    fn: string,
    id: string,
    extra: Record<string, unknown> = {},
  ) =>
    send({
      type: 'CARD_CLICKED',
      user: {name: chatUser(email), email, type: 'HUMAN'},
      space: {name: space, type: 'ROOM'},
      common: {invokedFunction: fn, parameters: {requestId: id}},
      ...extra,
    });
  /** The submission of the Deny… dialog, with its reason. */
  const submitDeny = (email: string, id: string, reason: string) =>
    click(email, 'submitDeny', id, {
      isDialogEvent: true,
      dialogEventType: 'SUBMIT_DIALOG',
      common: {
        invokedFunction: 'submitDeny',
        parameters: {requestId: id},
        formInputs: {reason: {stringInputs: {value: [reason]}}},
      },
    });
  return {send, click, submitDeny};
}

/** Every text of a card, and its buttons' labels. */
export function cardOf(m: {cardsV2?: unknown[]}): {
  texts: string;
  buttons: string[];
} {
  const json = JSON.stringify(m.cardsV2 ?? []);
  const texts: string[] = [];
  const buttons: string[] = [];
  JSON.parse(json, (key, value) => {
    if (key === 'text' && typeof value === 'string') texts.push(value);
    return value;
  });
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray((o['buttonList'] as {buttons?: unknown})?.buttons)) {
        for (const b of (o['buttonList'] as {buttons: Array<{text: string}>})
          .buttons) {
          buttons.push(b.text);
        }
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(m.cardsV2);
  return {texts: texts.join('\n'), buttons};
}

/**
 * Approvals from Google Chat (docs/chat.md), end to end in one process: the
 * request routes post a card to CHAT_SPACE through the fake Google Cloud's
 * Chat API, the `chat` target's route (behind the real Chat verifier) takes
 * Approve and Deny clicks signed by the Chat stand-in, and every change of a
 * request, wherever it is made, updates the card.
 */
import {makeChatSigner, type ChatSigner} from '../../sandbox/chat-signer';
import type {WorldChatMessage} from '../../sandbox/fake-gcp';
import type {AccessRequest} from '../../shared/approvals/types';
import {
  ALICE,
  BOB,
  CAROL,
  MALLORY,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  startHarness,
  type Harness,
} from '../approvals/harness';
import {cardOf, chatEvents, chatUser} from '../support/chat';
import {startIapKeyServer, type IapKeyServer} from '../support/iap';

const SPACE = 'spaces/AAAAreviewers';
const NUMBER = '123456789012';
const AUDITOR = 'audrey@example.com';

let chat: ChatSigner;
let keys: IapKeyServer;
let h: Harness;
beforeAll(async () => {
  chat = makeChatSigner();
  keys = await startIapKeyServer(chat);
  h = await startHarness({
    env: {
      CHAT_SPACE: SPACE,
      CHAT_AUDIENCE: NUMBER,
      CHAT_PUBLIC_KEYS_URL: keys.url,
      AUDITOR_PRINCIPALS: `user:${AUDITOR}`,
    },
  });
  h.fake.world.chat = {
    spaces: {[SPACE]: {spaceType: 'SPACE', displayName: 'Reviewers'}},
    messages: [],
  };
});
// One open request per role and requester: each test starts with none.
afterEach(async () => {
  for (const r of await h.approvals.list(ALICE, 'requester', 'PENDING')) {
    await h.approvals.withdraw(ALICE, r.id);
  }
});
afterAll(async () => {
  await h.close();
  await keys.close();
});

const {send, click, submitDeny} = chatEvents(
  () => h,
  () => chat,
  NUMBER,
  SPACE,
);

async function newRequest(
  overrides: Record<string, unknown> = {},
): Promise<AccessRequest> {
  const res = await h
    .post(REQUEST_PATH.replace(PROJECT, PROJECT), ALICE, requestBody(overrides))
    .expect(201);
  return res.body as AccessRequest;
}

function messageOf(r: AccessRequest): WorldChatMessage {
  const name = r.chat?.messages[0];
  const found = h.fake.world.chat?.messages?.find(m => m.name === name);
  if (!found) throw new Error(`no Chat message for ${r.id}`);
  return found;
}

function chatAuditEntries(event: string) {
  return h.log
    .entries()
    .filter(
      e =>
        (e['logging.googleapis.com/labels'] as Record<string, string>)
          ?.event === event,
    );
}

describe('the card', () => {
  it('is posted to CHAT_SPACE when a request is made, with what a reviewer needs', async () => {
    const r = await newRequest({justification: 'case 42'});
    expect(r.chat).toMatchObject({delivered: true});
    expect(r.chat?.messages).toHaveLength(1);
    const m = messageOf(r);
    expect(m.name.startsWith(`${SPACE}/messages/`)).toBe(true);
    const {texts, buttons} = cardOf(m);
    for (const shown of [
      ALICE,
      'roles/compute.admin',
      PROJECT,
      '30 minutes',
      'case 42',
      '0 of 1',
      'Waiting for approval',
    ]) {
      expect(texts).toContain(shown);
    }
    expect(buttons).toEqual(['Approve', 'Deny…', 'Open']);
    expect(JSON.stringify(m.cardsV2)).toContain(
      `https://jit.example.com/requests/${r.id}`,
    );
    // Stored with the request, for later updates.
    expect((await h.requests.get(r.id))?.chat?.messages).toEqual(
      r.chat?.messages,
    );
    // As the app, with Chat's idempotency key.
    const call = h.fake.calls('chat.spaces.messages.create').at(-1)!;
    expect(call.query).toMatch(/requestId=jit-/);
  });

  it('escapes what the requester wrote, so that it cannot become markup or a link', async () => {
    const r = await newRequest({
      role: 'roles/compute.viewer',
      justification: 'case <b>1</b> & <a href="https://evil.example">x</a>',
    });
    const {texts} = cardOf(messageOf(r));
    expect(texts).toContain(
      'case &lt;b&gt;1&lt;/b&gt; &amp; &lt;a href="https://evil.example"&gt;x&lt;/a&gt;',
    );
    expect(texts).not.toContain('<a href');
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
  });
});

describe('clicks', () => {
  it('approves as the clicking reviewer, with channel chat in the audit event, and the card shows the outcome without buttons', async () => {
    const r = await newRequest();
    const res = await click(BOB, 'approve', r.id).expect(200);
    expect(res.body.actionResponse).toEqual({type: 'UPDATE_MESSAGE'});
    expect(cardOf(res.body).buttons).toEqual(['Open']);
    expect(cardOf(res.body).texts).toContain('Approved');
    const stored = await h.requests.get(r.id);
    expect(stored?.state).toBe('ACTIVE');
    expect(stored?.approvals.map(a => a.reviewer)).toEqual([BOB]);
    // The posted card itself is updated too, and reads final.
    expect(cardOf(messageOf(r)).buttons).toEqual(['Open']);
    expect(stored?.chat?.final).toBe(true);
    const audit = chatAuditEntries('api.approveRequest').find(
      e =>
        (e['logging.googleapis.com/labels'] as Record<string, string>)
          .requestId === r.id,
    );
    expect(audit).toMatchObject({channel: 'chat'});
    // The grant is real: the binding is in the fake's IAM policy.
    expect(
      JSON.stringify(h.fake.world.policies?.[`projects/${PROJECT}`]),
    ).toContain(`user:${ALICE}`);
  });

  it('answers a second click (Chat retries) with the card as it reads, not an error', async () => {
    const r = await newRequest({role: 'roles/compute.viewer'});
    await click(CAROL, 'approve', r.id).expect(200);
    const again = await click(CAROL, 'approve', r.id).expect(200);
    expect(again.body.actionResponse).toEqual({type: 'UPDATE_MESSAGE'});
    expect(cardOf(again.body).texts).toContain('Approved');
    expect((await h.requests.get(r.id))?.approvals).toHaveLength(1);
  });

  it('asks for a reason in a dialog, and denies with it', async () => {
    const r = await newRequest();
    const dialog = await click(BOB, 'deny', r.id).expect(200);
    expect(dialog.body.actionResponse.type).toBe('DIALOG');
    expect(JSON.stringify(dialog.body)).toContain('"name":"reason"');
    const submitted = await submitDeny(BOB, r.id, 'not <now>').expect(200);
    expect(submitted.body.actionResponse.dialogAction.actionStatus).toEqual({
      statusCode: 'OK',
      userFacingMessage: 'The request is denied.',
    });
    const stored = await h.requests.get(r.id);
    expect(stored).toMatchObject({
      state: 'DENIED',
      decidedBy: BOB,
      reason: 'not <now>',
    });
    const {texts, buttons} = cardOf(messageOf(r));
    expect(texts).toContain(`Denied</b> by ${BOB}: not &lt;now&gt;`);
    expect(buttons).toEqual(['Open']);
    expect(
      chatAuditEntries('api.denyRequest').some(e => e['channel'] === 'chat'),
    ).toBe(true);
  });

  it('answers Deny… on a request decided meanwhile with its card, not a dialog', async () => {
    const r = await newRequest();
    await h.post(`/api/requests/${r.id}/approve`, CAROL, {}).expect(200);
    const res = await click(BOB, 'deny', r.id).expect(200);
    expect(res.body.actionResponse).toEqual({type: 'UPDATE_MESSAGE'});
    expect(cardOf(res.body).texts).toContain('Approved');
  });

  it('keeps the dialog open with the reason when a denial is refused', async () => {
    const r = await newRequest({role: 'roles/compute.viewer'});
    const res = await submitDeny(BOB, r.id, '').expect(200);
    expect(res.body.actionResponse.dialogAction.actionStatus).toMatchObject({
      statusCode: 'INVALID_ARGUMENT',
      userFacingMessage: 'A reason is required to deny a request',
    });
    expect((await h.requests.get(r.id))?.state).toBe('PENDING');
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
  });

  it.each([
    [ALICE, 'You cannot approve your own request'],
    [MALLORY, 'Request not found'],
  ])(
    'refuses %s privately, by the same rules as the web',
    async (who, message) => {
      const r = await newRequest();
      const res = await click(who, 'approve', r.id).expect(200);
      expect(res.body).toEqual({
        actionResponse: {type: 'NEW_MESSAGE'},
        text: message,
        privateMessageViewer: {name: chatUser(who)},
      });
      expect((await h.requests.get(r.id))?.state).toBe('PENDING');
      await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
    },
  );

  it('refuses an event whose token is not Chat’s with 401, before anything runs', async () => {
    const r = await newRequest();
    await send(
      {
        type: 'CARD_CLICKED',
        user: {name: chatUser(BOB), email: BOB, type: 'HUMAN'},
        common: {invokedFunction: 'approve', parameters: {requestId: r.id}},
      },
      chat.projectNumberToken('999999'),
    ).expect(401);
    // No token at all; and a valid token opens nothing but Chat's events.
    await h
      .chatHttp()
      .post('/chat')
      .set('Content-Type', 'application/json')
      .send('{}')
      .expect(401);
    await h
      .chatHttp()
      .get(`/api/requests/${r.id}`)
      .set('Authorization', `Bearer ${chat.projectNumberToken(NUMBER)}`)
      .expect(404);
    expect(
      h.log
        .entries()
        .some(
          e =>
            (e['logging.googleapis.com/labels'] as Record<string, string>)
              ?.event === 'chat.authenticate' &&
            e['reason'] === 'no Authorization header',
        ),
    ).toBe(true);
    expect((await h.requests.get(r.id))?.state).toBe('PENDING');
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
  });
});

describe('changes made elsewhere', () => {
  it('updates the card when a reviewer approves on the web', async () => {
    const r = await newRequest();
    await h.post(`/api/requests/${r.id}/approve`, CAROL, {}).expect(200);
    const {texts, buttons} = cardOf(messageOf(r));
    expect(buttons).toEqual(['Open']);
    expect(texts).toContain('Approved');
    expect(texts).toContain(`1 of 1: ${CAROL}`);
  });

  it('shows approvals so far while more are needed', async () => {
    const r = await newRequest({role: 'roles/compute.viewer'});
    // Two of two: the first approval keeps the buttons, with the count.
    await h.requests.change(r.id, current => ({
      ok: true,
      request: {...current!, requiredApprovals: 2},
      activate: false,
    }));
    await click(BOB, 'approve', r.id).expect(200);
    const {texts, buttons} = cardOf(messageOf(r));
    expect(texts).toContain(`1 of 2: ${BOB}`);
    expect(buttons).toEqual(['Approve', 'Deny…', 'Open']);
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
    expect(cardOf(messageOf(r)).texts).toContain('Withdrawn');
  });

  it('posts a new card on a reminder and keeps updating both', async () => {
    const r = await newRequest();
    // The reminder's cooldown counts from creation: move it back.
    await h.requests.change(r.id, current => ({
      ok: true,
      request: {
        ...current!,
        createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      },
      activate: false,
    }));
    const reminded = await h
      .post(`/api/requests/${r.id}/remind`, ALICE, {})
      .expect(200);
    expect(reminded.body.chat.messages).toHaveLength(2);
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
    for (const name of reminded.body.chat.messages as string[]) {
      const m = h.fake.world.chat!.messages!.find(x => x.name === name)!;
      expect(cardOf(m).texts).toContain('Withdrawn');
    }
  });

  it('closes the cards of requests that expired when reconciliation runs, once', async () => {
    const r = await newRequest();
    await h.requests.change(r.id, current => ({
      ok: true,
      request: {
        ...current!,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
      activate: false,
    }));
    const run = await h.post('/api/reconcile', AUDITOR, {}).expect(200);
    expect(run.body.cardsUpdated).toBeGreaterThanOrEqual(1);
    const {texts, buttons} = cardOf(messageOf(r));
    expect(texts).toContain('Expired');
    expect(buttons).toEqual(['Open']);
    expect((await h.requests.get(r.id))?.chat?.final).toBe(true);
    const patches = h.fake.calls('chat.spaces.messages.patch').length;
    await h.post('/api/reconcile', AUDITOR, {}).expect(200);
    expect(h.fake.calls('chat.spaces.messages.patch')).toHaveLength(patches);
  });
});

describe('a Chat outage', () => {
  it('never fails a request: the mail still goes and the failure is recorded', async () => {
    h.fake.failNext('chat.spaces.messages.create', 503, 20);
    const mails = h.smtp.mails.length;
    try {
      const r = await newRequest();
      expect(r.state).toBe('PENDING');
      expect(r.notification).toEqual({delivered: true});
      expect(r.chat).toMatchObject({delivered: false, messages: []});
      expect(r.chat?.error).toContain(SPACE);
      expect((await h.requests.get(r.id))?.chat?.delivered).toBe(false);
      expect(h.smtp.mails.length).toBeGreaterThan(mails);
      await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
    } finally {
      h.fake.clearFaults();
    }
  });
});

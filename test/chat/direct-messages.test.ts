/**
 * Cards as direct messages (CHAT_DIRECT_MESSAGES): the Chat API finds a
 * direct message by the person's Chat user name only when it is called as
 * the app, so a reviewer is reachable once they have talked to the app (its
 * events tell their user name) and Chat finds their direct message with it.
 */
import {makeChatSigner, type ChatSigner} from '../../sandbox/chat-signer';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  REQUEST_PATH,
  requestBody,
  startHarness,
  type Harness,
} from '../approvals/harness';
import {cardOf, chatEvents, chatUser} from '../support/chat';
import {startIapKeyServer, type IapKeyServer} from '../support/iap';

const NUMBER = '123456789012';
const BOB_DM = 'spaces/DMbob';

let signer: ChatSigner;
let keys: IapKeyServer;
let h: Harness;
beforeAll(async () => {
  signer = makeChatSigner();
  keys = await startIapKeyServer(signer);
  h = await startHarness({
    env: {
      CHAT_DIRECT_MESSAGES: 'true',
      CHAT_AUDIENCE: NUMBER,
      CHAT_PUBLIC_KEYS_URL: keys.url,
    },
  });
  h.fake.world.chat = {
    spaces: {
      [BOB_DM]: {spaceType: 'DIRECT_MESSAGE', user: chatUser(BOB)},
    },
    messages: [],
  };
});
afterAll(async () => {
  await h.close();
  await keys.close();
});

const {send} = chatEvents(
  () => h,
  () => signer,
  NUMBER,
  BOB_DM,
);

it('reaches the reviewers who talked to the app, and says who could not be reached', async () => {
  // Bob adds the app in a direct message; Dave talks to it, then removes it.
  const added = await send({
    type: 'ADDED_TO_SPACE',
    user: {name: chatUser(BOB), email: BOB, type: 'HUMAN'},
    space: {name: BOB_DM, type: 'DM'},
  }).expect(200);
  expect(added.body.text).toMatch(/review/);
  await send({
    type: 'MESSAGE',
    user: {name: chatUser(DAVE), email: DAVE, type: 'HUMAN'},
    space: {name: 'spaces/DMdave', type: 'DM'},
  }).expect(200);

  const res = await h
    .post(REQUEST_PATH, ALICE, requestBody({reviewers: [BOB, CAROL, DAVE]}))
    .expect(201);
  const chat = res.body.chat;
  expect(chat.messages).toHaveLength(1);
  expect(chat.messages[0]).toMatch(new RegExp(`^${BOB_DM}/messages/`));
  expect(chat.delivered).toBe(false);
  expect(chat.error).toContain(`${CAROL} has not talked to the Chat app yet`);
  expect(chat.error).toContain(
    `${DAVE} has no direct message with the Chat app`,
  );
  // Found by user name, as the app must: never by email.
  const asked = h.fake
    .calls('chat.spaces.findDirectMessage')
    .map(c => new URLSearchParams(c.query).get('name'));
  expect(asked.sort()).toEqual([chatUser(BOB), chatUser(DAVE)].sort());

  // Bob approves in his direct message; the card there shows it.
  await send({
    type: 'CARD_CLICKED',
    user: {name: chatUser(BOB), email: BOB, type: 'HUMAN'},
    space: {name: BOB_DM, type: 'DM'},
    common: {invokedFunction: 'approve', parameters: {requestId: res.body.id}},
  }).expect(200);
  const card = h.fake.world.chat!.messages!.find(
    m => m.name === chat.messages[0],
  )!;
  expect(cardOf(card).buttons).toEqual(['Open']);
  expect(cardOf(card).texts).toContain('Approved');
});

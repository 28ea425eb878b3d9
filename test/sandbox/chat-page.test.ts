/**
 * /sandbox/chat of `npm start`: a request made on the web posts its card to
 * the fake's Chat space; the page shows it and its buttons click as a
 * chosen user, through the `chat` target (a second functions child) with a
 * token the stand-in signs as Chat does.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {Sandbox} from '../../sandbox/sandbox';
import {describeIf} from '../support/skip';
import {startTestSandbox, type TestSandbox} from '../support/sandbox';

const ROOT = path.join(__dirname, '..', '..');
const built = fs.existsSync(path.join(ROOT, 'build', 'functions', 'index.js'));

jest.setTimeout(60_000);

describeIf(built, 'the build is missing: run npm run build')(
  '/sandbox/chat',
  () => {
    let started: TestSandbox | undefined;
    let sandbox: Sandbox;
    beforeAll(async () => {
      started = await startTestSandbox('chat');
      sandbox = started.sandbox;
    });
    afterEach(() => started?.printIfFailed());
    afterAll(() => sandbox?.stop());

    async function cookieOf(email: string): Promise<string> {
      const login = await fetch(`${sandbox.url}/sandbox/login?as=${email}`, {
        redirect: 'manual',
      });
      return login.headers.get('set-cookie')!.split(';')[0]!;
    }

    async function request(requester: string, justification: string) {
      const res = await fetch(
        `${sandbox.url}/api/projects/shop-prod/roles/request`,
        {
          method: 'POST',
          headers: {
            cookie: await cookieOf(requester),
            'Content-Type': 'application/json',
            'X-JIT-Access': '1',
          },
          body: JSON.stringify({
            role: 'roles/compute.admin',
            reviewers: ['bob@example.com'],
            justification,
            durationMinutes: 60,
          }),
        },
      );
      expect(res.status).toBe(201);
      return (await res.json()) as {id: string; chat: {messages: string[]}};
    }

    /** Clicks a card's button on the page as `as`; answers the page's note. */
    async function click(
      message: string,
      fn: string,
      as: string,
      reason?: string,
    ): Promise<string> {
      const page = await (await fetch(`${sandbox.url}/sandbox/chat`)).text();
      const action = [...page.matchAll(/action="([^"]+)"/g)]
        .map(m => m[1]!.replace(/&amp;/g, '&'))
        .find(
          a =>
            a.includes(`message=${encodeURIComponent(message)}`) &&
            a.includes(`fn=${fn}&`),
        );
      expect(action).toBeDefined();
      const res = await fetch(`${sandbox.url}${action}`, {
        method: 'POST',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({as, ...(reason ? {reason} : {})}),
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      return new URL(
        res.headers.get('location')!,
        sandbox.url,
      ).searchParams.get('note')!;
    }

    async function stateOf(id: string, as: string): Promise<string> {
      const res = await fetch(`${sandbox.url}/api/requests/${id}`, {
        headers: {cookie: await cookieOf(as)},
      });
      return ((await res.json()) as {state: string}).state;
    }

    it('shows the card of a new request and approves it as the chosen reviewer', async () => {
      const r = await request('alice@example.com', 'incident <9>');
      expect(r.chat.messages).toHaveLength(1);
      const page = await (await fetch(`${sandbox.url}/sandbox/chat`)).text();
      expect(page).toContain('alice@example.com on shop-prod');
      // Escaped by the product for Chat, shown as text by the page.
      expect(page).toContain('incident &lt;9&gt;');
      expect(page).not.toContain('incident <9>');

      expect(
        await click(r.chat.messages[0]!, 'approve', 'bob@example.com'),
      ).toBe('The card was updated.');
      expect(await stateOf(r.id, 'alice@example.com')).toBe('ACTIVE');
      const json = (await (
        await fetch(`${sandbox.url}/sandbox/chat.json`)
      ).json()) as {messages: Array<{name: string; cardsV2: unknown[]}>};
      const card = json.messages.find(m => m.name === r.chat.messages[0]);
      expect(JSON.stringify(card?.cardsV2)).not.toContain('"Approve"');
    });

    it('denies with the reason given, and says privately why a requester may not approve', async () => {
      const r = await request('carol@example.com', 'change 12');
      expect(
        await click(r.chat.messages[0]!, 'approve', 'carol@example.com'),
      ).toBe(
        'Shown only to the user who clicked: You cannot approve your own request',
      );
      expect(
        await click(
          r.chat.messages[0]!,
          'deny',
          'bob@example.com',
          'not today',
        ),
      ).toBe('The dialog says: The request is denied.');
      expect(await stateOf(r.id, 'carol@example.com')).toBe('DENIED');
    });
  },
);

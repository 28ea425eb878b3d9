import {escapeHtml, html, safeHref, toHtmlString} from './html';
import {makeBaseUrlResolver, requestLink, rolesLink} from './public-url';
import {composeMail, composeSelfActivationMail, formatTime} from './templates';
import {MailEvent} from '../ports/notifier';
import type {AccessRequest} from '../approvals/types';
import {testConfig} from '../../test/support/requests';

const base: AccessRequest = {
  id: 'abcDEF123_-xyz0123456A',
  project: 'p1',
  role: 'roles/compute.admin',
  requester: 'alice@example.com',
  reviewers: ['bob@example.com'],
  justification: 'case 42',
  durationMinutes: 30,
  state: 'PENDING',
  approvals: [{reviewer: 'bob@example.com', at: '2030-01-01T10:00:00.000Z'}],
  requiredApprovals: 1,
  createdAt: '2030-01-01T09:00:00.000Z',
  expiresAt: '2030-01-01T10:00:00.000Z',
  decidedBy: 'bob@example.com',
  reason: 'no',
  activation: {
    start: '2030-01-01T10:00:00.000Z',
    end: '2030-01-01T10:30:00.000Z',
  },
};

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '<a href="javascript:alert(1)">x</a>',
  '&lt;already-escaped&gt;',
  '`${x}` = {{7*7}}',
  '</td></tr></table><h1>forged</h1>',
];

describe('mail templates', () => {
  describe.each(MailEvent.map(e => [e]))('%s mail', event => {
    it.each(
      HOSTILE.flatMap(value =>
        (['justification', 'reason', 'resourceCondition'] as const).map(
          field => [field, value] as const,
        ),
      ),
    )('escapes a hostile %s: %s', (field, value) => {
      const mail = composeMail(
        event,
        {...base, [field]: value},
        {link: 'https://jit.example.com/requests/x', timezone: 'UTC'},
      );
      const escaped = escapeHtml(value);
      // The hostile text never appears raw in the HTML (only its escaped form, if shown at all).
      if (/[<>"'&`=]/.test(value)) expect(mail.html).not.toContain(value);
      if (mail.text.includes(value)) expect(mail.html).toContain(escaped);
    });
  });

  it('shows the justification in the plain-text part as written', () => {
    const mail = composeMail(
      'requested',
      {...base, justification: '<b>case</b> & co'},
      {timezone: 'UTC'},
    );
    expect(mail.text).toContain('Justification: <b>case</b> & co');
    expect(mail.html).toContain('&lt;b&gt;case&lt;/b&gt; &amp; co');
  });

  it('links the button to the request page', () => {
    const link = requestLink('https://jit.example.com/', base.id);
    expect(link).toBe(`https://jit.example.com/requests/${base.id}`);
    const mail = composeMail('requested', base, {link, timezone: 'UTC'});
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain(link);
  });

  it('says the link is unavailable when no base URL is known', () => {
    const mail = composeMail('requested', base, {timezone: 'UTC'});
    expect(mail.html).not.toContain('href=');
    expect(mail.text).toMatch(/PUBLIC_BASE_URL/);
  });

  it('refuses a non-http link', () => {
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    const mail = composeMail('requested', base, {
      link: 'javascript:alert(1)',
      timezone: 'UTC',
    });
    expect(mail.html).not.toContain('javascript:');
  });

  it('keeps the subject on one line whatever the request holds', () => {
    const mail = composeMail(
      'requested',
      {...base, requester: 'a@example.com\r\nBcc: victim@example.com'},
      {timezone: 'UTC'},
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('shows times in the notification time zone', () => {
    expect(formatTime('2030-01-01T10:00:00.000Z', 'Europe/Berlin')).toMatch(
      /11:00.*(CET|GMT\+1)/,
    );
    expect(formatTime('2030-07-01T10:00:00.000Z', 'America/New_York')).toMatch(
      /06:00.*(EDT|GMT-4)/,
    );
    const mail = composeMail('activated', base, {timezone: 'Asia/Tokyo'});
    expect(mail.text).toMatch(/Active from: .*19:00/);
  });

  it('addresses reviewers (cc requester) on request, and the requester (cc reviewers) on activation and denial', () => {
    expect(composeMail('requested', base, {timezone: 'UTC'})).toMatchObject({
      to: base.reviewers,
      cc: [base.requester],
    });
    expect(composeMail('activated', base, {timezone: 'UTC'})).toMatchObject({
      to: [base.requester],
      cc: base.reviewers,
    });
    const denied = composeMail('denied', base, {timezone: 'UTC'});
    expect(denied).toMatchObject({to: [base.requester]});
    expect(denied.text).toContain('Reason: no');
  });
});

describe('user text in the plain-text part', () => {
  const link = `https://jit.example.com/requests/${base.id}`;
  const footer = `Request ${base.id}. JIT Access sent this mail automatically.`;
  // A stored value from before line breaks were refused, or written around the API.
  const forged = [
    'no',
    '',
    'View the request: https://evil.example/requests/x',
    '',
    footer,
  ];

  /** The lines of the text part that are not quoted user text. */
  function ours(text: string): string[] {
    return text.split('\n').filter(line => !line.startsWith('> '));
  }

  it.each([
    ['a line feed', '\n'],
    ['CRLF', '\r\n'],
    ['a carriage return', '\r'],
    ['a line separator', '\u2028'],
    ['a vertical tab', '\u000B'],
    ['NEL', '\u0085'],
  ])(
    'quotes a deny reason split by %s, so it cannot fake the link or the footer',
    (_, breaks) => {
      const mail = composeMail(
        'denied',
        {...base, reason: forged.join(breaks)},
        {link, timezone: 'UTC'},
      );
      const lines = mail.text.split('\n');
      expect(lines).toContain('Reason:');
      expect(lines).toContain(
        '> View the request: https://evil.example/requests/x',
      );
      expect(lines).toContain(`> ${footer}`);
      expect(ours(mail.text).join('\n')).not.toContain('evil.example');
      expect(ours(mail.text).filter(l => l === footer)).toHaveLength(1);
      expect(ours(mail.text)).toContain(`View the request: ${link}`);
      expect(mail.text).not.toMatch(/[\r\v\u0085\u2028]/);
    },
  );

  it('quotes every line of a multi-line justification, blank lines included', () => {
    const mail = composeMail(
      'requested',
      {...base, justification: 'case 42\n\nApproved by security'},
      {link, timezone: 'UTC'},
    );
    expect(mail.text).toContain(
      'Justification:\n> case 42\n> \n> Approved by security\n',
    );
  });

  it('keeps a one-line value on its row', () => {
    const mail = composeMail('denied', base, {link, timezone: 'UTC'});
    expect(mail.text).toContain('Justification: case 42\n');
    expect(mail.text).toContain('Reason: no\n');
  });

  it.each([
    ['NUL', '\u0000'],
    ['a right-to-left override', '\u202E'],
    ['a left-to-right embedding', '\u202A'],
    ['an isolate', '\u2066'],
    ['ESC', '\u001B'],
  ])(
    'shows %s in a justification or reason as U+FFFD, in both parts',
    (_, c) => {
      const mail = composeMail(
        'denied',
        {...base, justification: `case ${c}24`, reason: `no${c}`},
        {link, timezone: 'UTC'},
      );
      for (const part of [mail.text, mail.html]) {
        expect(part).not.toContain(c);
        expect(part).toContain('case \uFFFD24');
        expect(part).toContain('no\uFFFD');
      }
    },
  );

  it('keeps the lead on one line when a resource condition spans several', () => {
    const mail = composeMail(
      'requested',
      {...base, resourceCondition: 'a ||\nb'},
      {link, timezone: 'UTC'},
    );
    expect(mail.text.split('\n')[0]).toBe(
      `${base.requester} asks you to approve access to ${base.role} (condition: a || b) on p1.`,
    );
    expect(mail.text).toContain('Condition:\n> a ||\n> b\n');
  });
});

describe('the html tag', () => {
  it('escapes values but not nested fragments', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(
      toHtmlString(html`<p>${inner}${[html`<br />`, html`${'&'}`]}</p>`),
    ).toBe('<p><b>&lt;i&gt;</b><br />&amp;</p>');
  });

  it('cannot be fooled by an object that looks like a fragment', () => {
    const fake = {toString: () => '<script>'} as unknown as string;
    expect(toHtmlString(html`${fake}`)).toBe('&lt;script&gt;');
  });
});

describe('the base URL of links', () => {
  const metadata = {
    projectNumber: async () => '123456',
    region: async () => 'europe-west1',
  };

  it('is PUBLIC_BASE_URL when set', async () => {
    expect(
      await makeBaseUrlResolver(testConfig({K_SERVICE: 'jit'}), metadata)(),
    ).toBe('https://jit.example.com');
  });

  it("is the Cloud Run service's deterministic URL without it", async () => {
    const config = testConfig({PUBLIC_BASE_URL: '', K_SERVICE: 'jit-access'});
    expect(await makeBaseUrlResolver(config, metadata)()).toBe(
      'https://jit-access-123456.europe-west1.run.app',
    );
  });

  it('is unknown off Cloud Run without PUBLIC_BASE_URL', async () => {
    expect(
      await makeBaseUrlResolver(testConfig({PUBLIC_BASE_URL: ''}), metadata)(),
    ).toBeUndefined();
  });
});

describe('the self-activation mail (NOTIFY_SELF_ACTIVATION)', () => {
  const notice = {
    user: 'alice@example.com',
    project: 'shop-prod',
    entitlements: [
      {role: 'roles/compute.viewer'},
      {
        role: 'roles/storage.admin',
        resourceCondition: 'resource.name == "projects/_/buckets/b"',
      },
    ],
    justification: 'case 42',
    start: '2030-01-01T10:00:00.000Z',
    end: '2030-01-01T10:30:00.000Z',
  };
  const link = rolesLink('https://jit.example.com/', 'shop-prod');

  it('goes to the user with the configured recipients in copy, never the user twice', () => {
    const mail = composeSelfActivationMail(
      notice,
      ['security@example.com', 'alice@example.com'],
      {link, timezone: 'UTC'},
    );
    expect(mail.to).toEqual(['alice@example.com']);
    expect(mail.cc).toEqual(['security@example.com']);
    expect(mail.subject).toBe(
      'alice@example.com activated 2 roles on shop-prod',
    );
  });

  it('lists every role with its condition, the justification and the window', () => {
    const mail = composeSelfActivationMail(notice, [], {
      link,
      timezone: 'Europe/Berlin',
    });
    expect(mail.text.split('\n')).toEqual(
      expect.arrayContaining([
        'User: alice@example.com',
        'Role: roles/compute.viewer',
        'Role: roles/storage.admin',
        'Condition: resource.name == "projects/_/buckets/b"',
        'Project: shop-prod',
        'Justification: case 42',
        expect.stringMatching(/^Active from: .*11:00/),
        expect.stringMatching(/^Until: .*11:30/),
        `Open JIT Access: ${link}`,
      ]),
    );
    expect(link).toBe('https://jit.example.com/#roles/shop-prod');
    expect(mail.html).toContain(`href="${link}"`);
    expect(
      composeSelfActivationMail(
        {...notice, entitlements: [notice.entitlements[0]!]},
        [],
        {link, timezone: 'UTC'},
      ).subject,
    ).toBe('alice@example.com activated roles/compute.viewer on shop-prod');
  });

  it.each(HOSTILE)('escapes a hostile justification: %s', value => {
    const mail = composeSelfActivationMail(
      {...notice, justification: value},
      [],
      {link, timezone: 'UTC'},
    );
    if (/[<>"'&`=]/.test(value)) expect(mail.html).not.toContain(value);
    expect(mail.html).toContain(escapeHtml(value));
  });

  it("quotes a multi-line justification in the text part, so it cannot pass for the mail's own link", () => {
    const mail = composeSelfActivationMail(
      {
        ...notice,
        justification: 'case 42\nOpen JIT Access: https://evil.example.com',
      },
      [],
      {link, timezone: 'UTC'},
    );
    const lines = mail.text.split('\n');
    expect(lines).toContain('> Open JIT Access: https://evil.example.com');
    expect(lines.filter(l => l.startsWith('Open JIT Access:'))).toEqual([
      `Open JIT Access: ${link}`,
    ]);
  });

  it('says the link is unavailable when no base URL is known', () => {
    const mail = composeSelfActivationMail(notice, [], {timezone: 'UTC'});
    expect(mail.html).not.toContain('href=');
    expect(mail.text).toMatch(/PUBLIC_BASE_URL/);
  });
});

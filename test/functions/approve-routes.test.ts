/**
 * Requests and decisions through the HTTP functions, with the real store,
 * activator, Resource Manager adapter (fake Google Cloud) and SMTP.
 * See test/approvals/harness.ts for what is real and what is in memory.
 */
import {pendingRequestsOf} from '../../shared/approvals/pending';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  Harness,
  MALLORY,
  mpaGrant,
  OTHER_ROLE,
  PROJECT,
  REQUEST_PATH,
  requestBody,
  ROLE,
  startHarness,
} from '../approvals/harness';

const SET = 'cloudresourcemanager.projects.setIamPolicy';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  // Each test starts with none of Alice's requests open: a second PENDING
  // request for the same role is refused.
  const open = (
    await h.get('/api/requests?as=requester&state=PENDING', ALICE).expect(200)
  ).body.requests as Array<{id: string}>;
  for (const r of open) {
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
  }
  h.smtp.mails.length = 0;
  h.fake.clearFaults();
});

async function createRequest(body = requestBody()) {
  const res = await h.post(REQUEST_PATH, ALICE, body).expect(201);
  return res.body as {id: string; [k: string]: unknown};
}

function auditEvents(event: string) {
  return h.log
    .entries()
    .filter(
      e =>
        (
          e['logging.googleapis.com/labels'] as
            Record<string, string> | undefined
        )?.event === event,
    )
    .map(e => e['logging.googleapis.com/labels'] as Record<string, string>);
}

describe('POST /api/projects/{project}/roles/request', () => {
  it('stores a PENDING request with a 128-bit URL-safe id and answers 201', async () => {
    const r = await createRequest();
    expect(r.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(r).toMatchObject({
      project: PROJECT,
      role: ROLE,
      requester: ALICE,
      reviewers: [BOB, CAROL],
      state: 'PENDING',
      approvals: [],
      requiredApprovals: 1,
      justification: 'case 42',
      durationMinutes: 30,
      notification: {delivered: true},
    });
    expect(
      Date.parse(r.expiresAt as string) - Date.parse(r.createdAt as string),
    ).toBe(60 * 60_000);
    expect(
      (await h.get(`/api/requests/${r.id}`, ALICE).expect(200)).body.state,
    ).toBe('PENDING');
    expect(auditEvents('api.requestRole').some(l => l.requestId === r.id)).toBe(
      true,
    );
  });

  it('mails the reviewers, cc the requester, with a link to the request page and Precedence: bulk', async () => {
    const r = await createRequest();
    expect(h.smtp.mails).toHaveLength(1);
    const mail = h.smtp.mails[0]!;
    expect(mail.envelopeTo.sort()).toEqual([ALICE, BOB, CAROL]);
    expect(
      (mail.parsed.to as {value: {address: string}[]}).value.map(
        v => v.address,
      ),
    ).toEqual([BOB, CAROL]);
    expect(
      (mail.parsed.cc as {value: {address: string}[]}).value.map(
        v => v.address,
      ),
    ).toEqual([ALICE]);
    expect(mail.parsed.headers.get('precedence')).toBe('bulk');
    const link = `https://jit.example.com/requests/${r.id}`;
    expect(mail.parsed.html).toContain(`href="${link}"`);
    expect(mail.parsed.text).toContain(link);
    // Times in NOTIFICATION_TIMEZONE (Europe/Berlin).
    expect(mail.parsed.text).toMatch(/Expires: .*(CET|CEST|GMT\+1|GMT\+2)/);
  });

  it('never takes the link host from request headers', async () => {
    const r = await h
      .post(REQUEST_PATH, ALICE, requestBody())
      .set('X-Forwarded-Host', 'evil.example.net')
      .set('Host', 'evil.example.net')
      .expect(201);
    expect(h.smtp.mails[0]!.parsed.html).toContain(
      `https://jit.example.com/requests/${r.body.id}`,
    );
    expect(JSON.stringify(h.smtp.mails[0]!.parsed.html)).not.toContain(
      'evil.example.net',
    );
  });

  it('escapes a hostile justification in the mail', async () => {
    await createRequest(
      requestBody({justification: '<script>alert(1)</script>"&'}),
    );
    const html = h.smtp.mails[0]!.parsed.html as string;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;');
    expect(h.smtp.mails[0]!.parsed.text).toContain(
      '<script>alert(1)</script>"&',
    );
  });

  it.each([
    ['an unknown field', requestBody({extra: 1}), 400, /Unknown fields: extra/],
    [
      'a reviewer who is not a peer',
      requestBody({reviewers: [BOB, MALLORY]}),
      400,
      /mallory@example\.com/,
    ],
    [
      'the requester as reviewer',
      requestBody({reviewers: [BOB, ALICE]}),
      400,
      /alice@example\.com/,
    ],
    [
      'a duplicate reviewer',
      requestBody({reviewers: [BOB, 'Bob@example.com']}),
      400,
      /bob@example\.com is listed more than once/,
    ],
    ['no reviewers', requestBody({reviewers: []}), 400, /reviewers/],
    [
      'too many reviewers',
      requestBody({
        reviewers: Array.from({length: 11}, (_, i) => `u${i}@example.com`),
      }),
      400,
      /reviewers/,
    ],
    [
      'a reviewer that is not an email',
      requestBody({reviewers: ['bob']}),
      400,
      /reviewers\[0\]/,
    ],
    [
      'a blank justification',
      requestBody({justification: '  '}),
      400,
      /justification/,
    ],
    [
      'a duration of 0 minutes',
      requestBody({durationMinutes: 0}),
      400,
      /durationMinutes/,
    ],
    [
      'a role the requester is not MPA-eligible for',
      requestBody({role: 'roles/owner'}),
      403,
      /not eligible/,
    ],
  ])('refuses %s', async (_, body, status, message) => {
    const res = await h.post(REQUEST_PATH, ALICE, body).expect(status);
    expect(res.body.error.message).toMatch(message);
    expect(h.smtp.mails).toHaveLength(0);
  });

  it('refuses a second PENDING request for the same role with 409 naming the first, and sends no mail', async () => {
    const first = await createRequest();
    h.smtp.mails.length = 0;
    const again = await h.post(REQUEST_PATH, ALICE, requestBody()).expect(409);
    expect(again.body.error.status).toBe('ALREADY_EXISTS');
    expect(again.body.error.message).toContain(first.id);
    expect(h.smtp.mails).toHaveLength(0);
    // Once it is withdrawn, the role may be requested again.
    await h.post(`/api/requests/${first.id}/withdraw`, ALICE, {}).expect(200);
    await createRequest();
  });

  it('refuses a requester who is not MPA-eligible with 403', async () => {
    const res = await h.post(REQUEST_PATH, MALLORY, requestBody()).expect(403);
    expect(res.body.error.status).toBe('PERMISSION_DENIED');
  });

  it('shows the request as PENDING_APPROVAL with its id to the roles listing', async () => {
    const r = await createRequest();
    const pending = (user: string) =>
      pendingRequestsOf(q => h.requests.list(q), user, PROJECT, new Date());
    expect(await pending(ALICE)).toContainEqual({role: ROLE, requestId: r.id});
    expect(await pending(BOB)).toEqual([]);
  });
});

describe('reading requests', () => {
  it('shows a request to its requester and reviewers, and 404 to anyone else', async () => {
    const r = await createRequest();
    for (const user of [ALICE, BOB, CAROL])
      await h.get(`/api/requests/${r.id}`, user).expect(200);
    expect(
      (await h.get(`/api/requests/${r.id}`, DAVE).expect(404)).body.error
        .status,
    ).toBe('NOT_FOUND');
    await h.get('/api/requests/AAAAAAAAAAAAAAAAAAAAAA', ALICE).expect(404);
  });

  it.each([
    ['a reserved Firestore id', '__x__'],
    ['a shorter id', 'AAAAAAAAAAAAAAAAAAAAA'],
    ['a longer id', 'AAAAAAAAAAAAAAAAAAAAAAA'],
  ])('answers %s at once with 404, asking Firestore nothing', async (_, id) => {
    const reads = h.operations['read'] ?? 0;
    const res = await h.get(`/api/requests/${id}`, ALICE).expect(404);
    expect(res.body.error.message).toBe('Request not found');
    expect(h.operations['read'] ?? 0).toBe(reads);
  });

  it('answers 404, not 503, for an id of our format that Firestore reserves', async () => {
    // 22 base64url characters, as we generate them, yet __…__ is reserved.
    const reserved = '__' + 'a'.repeat(18) + '__';
    await h.get(`/api/requests/${reserved}`, ALICE).expect(404);
    await h.post(`/api/requests/${reserved}/approve`, BOB, {}).expect(404);
  });

  it('hides a request from a reviewer who is no longer eligible, and refuses their denial', async () => {
    const r = await createRequest();
    const saved = h.eligibility.grants;
    h.eligibility.grants = saved.filter(g => g.user !== BOB);
    try {
      await h.get(`/api/requests/${r.id}`, BOB).expect(404);
      const res = await h
        .post(`/api/requests/${r.id}/deny`, BOB, {reason: 'no'})
        .expect(403);
      expect(res.body.error.message).toMatch(/no longer eligible/);
    } finally {
      h.eligibility.grants = saved;
    }
    expect((await h.get(`/api/requests/${r.id}`, ALICE)).body.state).toBe(
      'PENDING',
    );
    // The requester still sees it, and an eligible reviewer still decides.
    await h
      .post(`/api/requests/${r.id}/deny`, CAROL, {reason: 'no'})
      .expect(200);
  });

  it('lists requests as requester and as reviewer, newest first, filtered by state', async () => {
    const first = await createRequest();
    const second = await createRequest(requestBody({role: OTHER_ROLE}));
    const mine = (
      await h.get('/api/requests?as=requester', ALICE).expect(200)
    ).body.requests.map((r: {id: string}) => r.id);
    expect(mine.indexOf(second.id)).toBeLessThan(mine.indexOf(first.id));
    const reviewing = (
      await h.get('/api/requests?as=reviewer&state=PENDING', CAROL).expect(200)
    ).body.requests;
    expect(reviewing.map((r: {id: string}) => r.id)).toEqual(
      expect.arrayContaining([first.id, second.id]),
    );
    expect(
      (await h.get('/api/requests?as=reviewer', DAVE).expect(200)).body
        .requests,
    ).toEqual([]);
    await h.get('/api/requests?as=boss', ALICE).expect(400);
    await h.get('/api/requests?as=reviewer&state=LOST', ALICE).expect(400);
  });
});

describe('approving', () => {
  it('activates the role on approval: one IAM write with every approver, ACTIVE, and a mail to the requester', async () => {
    const r = await createRequest();
    h.smtp.mails.length = 0;
    const setsBefore = h.fake.calls(SET).length;
    const res = await h
      .post(`/api/requests/${r.id}/approve`, BOB, {comment: 'go'})
      .expect(200);
    expect(res.body).toMatchObject({
      state: 'ACTIVE',
      approvals: [{reviewer: BOB, comment: 'go'}],
      decidedBy: BOB,
    });
    expect(
      Date.parse(res.body.activation.end) -
        Date.parse(res.body.activation.start),
    ).toBe(30 * 60_000);
    expect(h.fake.calls(SET).length - setsBefore).toBe(1);
    const binding = h.fake.world.policies![
      `projects/${PROJECT}`
    ]!.bindings!.find(
      b => b.role === ROLE && b.members.includes(`user:${ALICE}`),
    );
    expect(binding?.condition?.description).toBe(
      'Approved by bob@example.com, justification: case 42',
    );
    expect(binding?.condition?.expression).toContain(
      res.body.activation.start.replace('.000Z', 'Z'),
    );
    const mail = h.smtp.mails[0]!;
    expect(
      (mail.parsed.to as {value: {address: string}[]}).value.map(
        v => v.address,
      ),
    ).toEqual([ALICE]);
    expect(mail.parsed.subject).toContain('is active');
    expect(
      auditEvents('api.approveRequest').some(l => l.requestId === r.id),
    ).toBe(true);
  });

  it('answers the same reviewer approving twice with 200 then 409 ALREADY_EXISTS', async () => {
    const r = await createRequest();
    await h.post(`/api/requests/${r.id}/approve`, BOB).expect(200);
    const again = await h
      .post(`/api/requests/${r.id}/approve`, BOB)
      .expect(409);
    expect(again.body.error.status).toBe('ALREADY_EXISTS');
  });

  it('lets a reviewer approve who holds a JIT binding beside the MPA one', async () => {
    const r = await createRequest();
    const saved = h.eligibility.grants;
    h.eligibility.grants = [...saved, {...mpaGrant(BOB), type: 'JIT'}];
    try {
      await h.post(`/api/requests/${r.id}/approve`, BOB).expect(200);
    } finally {
      h.eligibility.grants = saved;
    }
  });

  it('refuses the requester approving their own request with 403, and a stranger with 404', async () => {
    const r = await createRequest();
    await h.post(`/api/requests/${r.id}/approve`, ALICE).expect(403);
    await h.post(`/api/requests/${r.id}/approve`, DAVE).expect(404);
  });

  it.each([
    ['the reviewer', BOB],
    ['the requester', ALICE],
  ])(
    're-checks eligibility at approval: 403 when %s is no longer eligible',
    async (_, who) => {
      const r = await createRequest();
      const saved = h.eligibility.grants;
      h.eligibility.grants = saved.filter(g => g.user !== who);
      try {
        const res = await h
          .post(`/api/requests/${r.id}/approve`, BOB)
          .expect(403);
        expect(res.body.error.message).toMatch(/no longer eligible/);
      } finally {
        h.eligibility.grants = saved;
      }
      expect((await h.get(`/api/requests/${r.id}`, ALICE)).body.state).toBe(
        'PENDING',
      );
    },
  );

  it('records FAILED when the IAM write fails, and a retry by another reviewer activates without adding an approval', async () => {
    const r = await createRequest();
    h.fake.failNext(SET, 400, 1);
    const failed = await h.post(`/api/requests/${r.id}/approve`, BOB);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const stored = (await h.get(`/api/requests/${r.id}`, ALICE).expect(200))
      .body;
    expect(stored.state).toBe('FAILED');
    expect(stored.error).toEqual(expect.any(String));
    const retry = await h
      .post(`/api/requests/${r.id}/approve`, CAROL)
      .expect(200);
    expect(retry.body.state).toBe('ACTIVE');
    expect(
      retry.body.approvals.map((a: {reviewer: string}) => a.reviewer),
    ).toEqual([BOB]);
    expect(retry.body.error).toBeUndefined();
  });
});

describe('a write that lands after the client gave up', () => {
  /**
   * Approves `r` while every setIamPolicy answers 503 (the request is
   * recorded FAILED), then lands the policy the client last sent, as IAM may
   * apply a write whose answer never came. Returns the activation binding.
   */
  async function failThenLand(r: {id: string; project?: unknown}) {
    h.fake.failNext(SET, 503, 100_000);
    const failed = await h.post(`/api/requests/${r.id}/approve`, BOB);
    expect(failed.status).toBe(503);
    h.fake.clearFaults();
    const stored = (await h.get(`/api/requests/${r.id}`, ALICE).expect(200))
      .body;
    expect(stored.state).toBe('FAILED');
    const sent = h.fake.calls(SET).at(-1)!.body as {
      policy: {bindings: Array<{role: string; members: string[]}>};
    };
    const key = `projects/${stored.project}`;
    h.fake.world.policies![key] = {
      ...h.fake.world.policies![key],
      bindings: sent.policy.bindings,
    };
    const binding = sent.policy.bindings.find(
      b => b.role === stored.role && b.members.includes(`user:${ALICE}`),
    );
    expect(binding).toBeDefined();
    return {key, binding: binding!};
  }
  // A window of its own: an identical binding that an earlier test wrote in
  // the same second would count as this write's.
  let minutes = 40;
  const landingBody = () =>
    requestBody({durationMinutes: ++minutes, justification: `case ${minutes}`});
  const inPolicy = (key: string, binding: unknown) =>
    (h.fake.world.policies![key]!.bindings ?? []).some(
      b => JSON.stringify(b) === JSON.stringify(binding),
    );

  it('is removed when a reviewer denies the FAILED request, so that it never reads DENIED with its binding in place', async () => {
    const r = await createRequest(landingBody());
    const {key, binding} = await failThenLand(r);
    expect(inPolicy(key, binding)).toBe(true);
    const res = await h
      .post(`/api/requests/${r.id}/deny`, CAROL, {reason: 'not now'})
      .expect(200);
    expect(res.body.state).toBe('DENIED');
    expect(inPolicy(key, binding)).toBe(false);
    expect(
      auditEvents('activation.leftoverRemoved').some(l => l.requestId === r.id),
    ).toBe(true);
  });

  it('is removed when the requester withdraws the FAILED request', async () => {
    const r = await createRequest(landingBody());
    const {key, binding} = await failThenLand(r);
    const res = await h
      .post(`/api/requests/${r.id}/withdraw`, ALICE, {})
      .expect(200);
    expect(res.body.state).toBe('WITHDRAWN');
    expect(inPolicy(key, binding)).toBe(false);
  });

  it('leaves the request FAILED, and the binding, when IAM cannot be written: nothing is recorded half', async () => {
    const r = await createRequest(landingBody());
    const {key, binding} = await failThenLand(r);
    h.fake.failNext(SET, 503, 100_000);
    const res = await h.post(`/api/requests/${r.id}/deny`, CAROL, {
      reason: 'not now',
    });
    expect(res.status).toBe(503);
    h.fake.clearFaults();
    expect((await h.get(`/api/requests/${r.id}`, ALICE)).body.state).toBe(
      'FAILED',
    );
    expect(inPolicy(key, binding)).toBe(true);
    // Once IAM answers again, the deny goes through and removes it.
    await h
      .post(`/api/requests/${r.id}/deny`, CAROL, {reason: 'not now'})
      .expect(200);
    expect(inPolicy(key, binding)).toBe(false);
  });

  it('removes nothing when a request that never failed is withdrawn', async () => {
    const r = await createRequest(landingBody());
    h.fake.resetLog();
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE, {}).expect(200);
    expect(h.fake.calls()).toEqual([]);
  });
});

/** Moves the request's last reminder (or creation) `minutes` into the past. */
async function backdateReminder(id: string, minutes: number) {
  await h.firestore
    .collection(`${h.iap.config.firestore.collectionPrefix}requests`)
    .doc(id)
    .update({
      lastRemindedAt: new Date(Date.now() - minutes * 60_000).toISOString(),
    });
}

describe('service accounts', () => {
  it('may not approve or deny, whatever the request: 403 naming why, and nothing changes', async () => {
    const r = await createRequest();
    const robot = 'ci-pipeline@approval-project.iam.gserviceaccount.com';
    for (const [action, body] of [
      ['approve', {}],
      ['deny', {reason: 'no'}],
    ] as const) {
      const res = await h
        .post(`/api/requests/${r.id}/${action}`, robot, body)
        .expect(403);
      expect(res.body.error.message).toMatch(
        /Service accounts may request and activate roles for themselves, never approve or deny/,
      );
    }
    expect((await h.get(`/api/requests/${r.id}`, ALICE)).body.state).toBe(
      'PENDING',
    );
  });
});

describe('deny, withdraw, remind', () => {
  it('requires a reason to deny, then denies and mails the reason', async () => {
    const r = await createRequest();
    await h.post(`/api/requests/${r.id}/deny`, BOB, {}).expect(400);
    await h.post(`/api/requests/${r.id}/deny`, BOB, {reason: ' '}).expect(400);
    h.smtp.mails.length = 0;
    const res = await h
      .post(`/api/requests/${r.id}/deny`, BOB, {reason: 'Use <staging>'})
      .expect(200);
    expect(res.body).toMatchObject({
      state: 'DENIED',
      reason: 'Use <staging>',
      decidedBy: BOB,
    });
    expect(h.smtp.mails[0]!.parsed.html).toContain('Use &lt;staging&gt;');
    await h.post(`/api/requests/${r.id}/approve`, CAROL).expect(409);
    expect(auditEvents('api.denyRequest').some(l => l.requestId === r.id)).toBe(
      true,
    );
  });

  it.each([
    ['on two lines', 'no\n\nView the request: https://evil.example/x'],
    ['with a right-to-left override', 'no \u202Eyes'],
  ])('refuses a reason %s with 400, and mails nothing', async (_, reason) => {
    const r = await createRequest();
    h.smtp.mails.length = 0;
    const res = await h
      .post(`/api/requests/${r.id}/deny`, BOB, {reason})
      .expect(400);
    expect(res.body.error.message).toMatch(/^The reason must not contain /);
    expect(h.smtp.mails).toHaveLength(0);
    expect(
      (await h.get(`/api/requests/${r.id}`, ALICE).expect(200)).body.state,
    ).toBe('PENDING');
  });

  it('refuses a comment with a line break with 400, and writes nothing', async () => {
    const r = await createRequest();
    const res = await h
      .post(`/api/requests/${r.id}/approve`, BOB, {comment: 'ok\r\nBcc: x'})
      .expect(400);
    expect(res.body.error.message).toMatch(
      /^The comment must not contain control characters/,
    );
    expect(
      (await h.get(`/api/requests/${r.id}`, ALICE).expect(200)).body.state,
    ).toBe('PENDING');
  });

  it('keeps no 60 KiB justification, comment or reason whole in the logs', async () => {
    const huge = (c: string) => c.repeat(60 * 1024);
    const r = await createRequest();
    const from = h.log.lines.length;
    await h
      .post(REQUEST_PATH, ALICE, requestBody({justification: huge('j')}))
      .expect(400);
    await h
      .post(`/api/requests/${r.id}/approve`, BOB, {comment: huge('c')})
      .expect(400);
    await h
      .post(`/api/requests/${r.id}/deny`, BOB, {reason: huge('r')})
      .expect(400);
    const lines = h.log.lines.slice(from);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.length).toBeLessThan(2_000);
    const fields = h.log
      .entries()
      .slice(from)
      .filter(e =>
        ['api.requestRole', 'api.approveRequest'].includes(
          (e['logging.googleapis.com/labels'] as Record<string, string>)
            .event ?? '',
        ),
      );
    expect(fields.map(e => e['justification'] ?? e['comment'])).toEqual([
      `${'j'.repeat(500)}… (${60 * 1024} characters)`,
      `${'c'.repeat(500)}… (${60 * 1024} characters)`,
    ]);
  });

  it('lets only the requester withdraw: a reviewer gets 403', async () => {
    const r = await createRequest();
    await h.post(`/api/requests/${r.id}/withdraw`, BOB).expect(403);
    h.smtp.mails.length = 0;
    expect(
      (await h.post(`/api/requests/${r.id}/withdraw`, ALICE).expect(200)).body
        .state,
    ).toBe('WITHDRAWN');
    expect(h.smtp.mails[0]!.parsed.subject).toContain('withdrawn');
    await h.post(`/api/requests/${r.id}/withdraw`, ALICE).expect(409);
    expect(
      auditEvents('api.withdrawRequest').some(l => l.requestId === r.id),
    ).toBe(true);
  });

  it('sends the reviewers the mail again on remind, by the requester only', async () => {
    const r = await createRequest();
    await backdateReminder(r.id, 6);
    h.smtp.mails.length = 0;
    await h.post(`/api/requests/${r.id}/remind`, BOB).expect(403);
    await h.post(`/api/requests/${r.id}/remind`, ALICE).expect(200);
    expect(h.smtp.mails).toHaveLength(1);
    expect(h.smtp.mails[0]!.parsed.subject).toMatch(/^Reminder: /);
    expect(
      auditEvents('api.remindRequest').some(l => l.requestId === r.id),
    ).toBe(true);
  });
  it('refuses a second remind within 5 minutes with 429, sending nothing, and allows it after', async () => {
    const r = await createRequest();
    h.smtp.mails.length = 0;
    const early = await h
      .post(`/api/requests/${r.id}/remind`, ALICE)
      .expect(429);
    expect(early.body.error).toMatchObject({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: expect.stringMatching(/again after \d{4}-\d\d-\d\dT/),
    });
    await backdateReminder(r.id, 5.5);
    const ok = await h.post(`/api/requests/${r.id}/remind`, ALICE).expect(200);
    expect(Date.now() - Date.parse(ok.body.lastRemindedAt)).toBeLessThan(
      60_000,
    );
    await h.post(`/api/requests/${r.id}/remind`, ALICE).expect(429);
    expect(h.smtp.mails).toHaveLength(1);
  });
});

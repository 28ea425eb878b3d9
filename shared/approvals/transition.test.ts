import {asRead, effectiveState, transition, Verdict} from './transition';
import {AccessRequest, RequestState} from './types';
import {newRequest} from '../../test/support/requests';

const T0 = new Date('2030-01-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function pending(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return newRequest({
    id: 'req1',
    createdAt: T0.toISOString(),
    expiresAt: at(60).toISOString(),
    ...overrides,
  });
}

function ok(v: Verdict) {
  if (!v.ok)
    throw new Error(`expected ok, got ${v.error.name}: ${v.error.message}`);
  return v;
}
function err(v: Verdict) {
  if (v.ok) throw new Error(`expected an error, got state ${v.request.state}`);
  return {
    status: v.error.status,
    httpStatus: v.error.httpStatus,
    message: v.error.message,
  };
}

/** A request in each stored state, as the state machine produces them. */
function inState(state: RequestState): AccessRequest {
  const base = pending();
  switch (state) {
    case 'PENDING':
      return base;
    case 'EXPIRED':
      return base; // read at a time past expiresAt
    case 'APPROVED':
    case 'ACTIVE':
    case 'FAILED':
      return {
        ...base,
        state,
        approvals: [{reviewer: 'bob@example.com', at: at(1).toISOString()}],
        decidedAt: at(1).toISOString(),
        decidedBy: 'bob@example.com',
        activation: {start: at(1).toISOString(), end: at(31).toISOString()},
        ...(state === 'FAILED' ? {error: 'IAM unavailable'} : {}),
      };
    case 'DENIED':
      return {
        ...base,
        state,
        decidedAt: at(1).toISOString(),
        decidedBy: 'bob@example.com',
        reason: 'no',
      };
    case 'WITHDRAWN':
      return {
        ...base,
        state,
        decidedAt: at(1).toISOString(),
        decidedBy: 'alice@example.com',
      };
  }
}
const readTime = (state: RequestState) =>
  state === 'EXPIRED' ? at(61) : at(1.5);

describe('transition', () => {
  describe('approve', () => {
    it('lets a listed reviewer approve, moving to APPROVED with a window starting at approval time', () => {
      const v = ok(
        transition(
          pending(),
          {type: 'approve', comment: 'ok'},
          'bob@example.com',
          at(5),
        ),
      );
      expect(v.activate).toBe(true);
      expect(v.request.state).toBe('APPROVED');
      expect(v.request.approvals).toEqual([
        {reviewer: 'bob@example.com', at: at(5).toISOString(), comment: 'ok'},
      ]);
      expect(v.request.activation).toEqual({
        start: at(5).toISOString(),
        end: at(35).toISOString(),
      });
      expect(v.request.decidedBy).toBe('bob@example.com');
    });

    it('starts the window on a whole second', () => {
      const v = ok(
        transition(
          pending(),
          {type: 'approve'},
          'bob@example.com',
          new Date(at(5).getTime() + 789),
        ),
      );
      expect(v.request.activation?.start).toBe(at(5).toISOString());
    });

    it('refuses approval by the requester with 403', () => {
      const r = pending({reviewers: ['alice@example.com', 'bob@example.com']});
      expect(
        err(transition(r, {type: 'approve'}, 'alice@example.com', at(1))),
      ).toMatchObject({
        httpStatus: 403,
        status: 'PERMISSION_DENIED',
      });
    });

    it('refuses approval by someone who is not a listed reviewer with 403', () => {
      expect(
        err(
          transition(
            pending(),
            {type: 'approve'},
            'mallory@example.com',
            at(1),
          ),
        ),
      ).toMatchObject({
        httpStatus: 403,
        message: 'You are not a reviewer of this request',
      });
    });

    it('stays PENDING until approvals reach requiredApprovals (N of M)', () => {
      const first = ok(
        transition(
          pending({requiredApprovals: 2}),
          {type: 'approve'},
          'bob@example.com',
          at(1),
        ),
      );
      expect(first).toMatchObject({
        activate: false,
        request: {state: 'PENDING'},
      });
      const second = ok(
        transition(
          first.request,
          {type: 'approve'},
          'carol@example.com',
          at(2),
        ),
      );
      expect(second.activate).toBe(true);
      expect(second.request.state).toBe('APPROVED');
      expect(second.request.approvals.map(a => a.reviewer)).toEqual([
        'bob@example.com',
        'carol@example.com',
      ]);
    });

    it('counts one approval per reviewer: the same reviewer again is 409 ALREADY_EXISTS', () => {
      const first = ok(
        transition(
          pending({requiredApprovals: 2}),
          {type: 'approve'},
          'bob@example.com',
          at(1),
        ),
      );
      expect(
        err(
          transition(
            first.request,
            {type: 'approve'},
            'bob@example.com',
            at(2),
          ),
        ),
      ).toMatchObject({
        httpStatus: 409,
        status: 'ALREADY_EXISTS',
      });
    });

    it('answers ALREADY_EXISTS to a reviewer who approved a request that is now ACTIVE', () => {
      expect(
        err(
          transition(
            inState('ACTIVE'),
            {type: 'approve'},
            'bob@example.com',
            at(2),
          ),
        ),
      ).toMatchObject({
        status: 'ALREADY_EXISTS',
      });
    });

    it.each([
      ['APPROVED'],
      ['ACTIVE'],
      ['DENIED'],
      ['WITHDRAWN'],
      ['EXPIRED'],
    ] as const)('refuses approval of a %s request with 409 ABORTED', state => {
      expect(
        err(
          transition(
            inState(state),
            {type: 'approve'},
            'carol@example.com',
            readTime(state),
          ),
        ),
      ).toMatchObject({
        httpStatus: 409,
        status: 'ABORTED',
      });
    });

    it('lets any listed reviewer retry a FAILED request without adding an approval', () => {
      const failed = inState('FAILED');
      for (const reviewer of ['bob@example.com', 'carol@example.com']) {
        const v = ok(transition(failed, {type: 'approve'}, reviewer, at(10)));
        expect(v.activate).toBe(true);
        expect(v.request.state).toBe('APPROVED');
        expect(v.request.approvals).toEqual(failed.approvals);
        expect(v.request.activation?.start).toBe(at(10).toISOString());
        expect(v.request.error).toBeUndefined();
      }
    });

    it('refuses a retry of a FAILED request past expiresAt with 409 ABORTED: it can no longer be activated', () => {
      const failed = inState('FAILED');
      ok(transition(failed, {type: 'approve'}, 'carol@example.com', at(59.9)));
      expect(
        err(transition(failed, {type: 'approve'}, 'carol@example.com', at(60))),
      ).toEqual({
        httpStatus: 409,
        status: 'ABORTED',
        message: expect.stringMatching(/can no longer be activated/),
      });
    });

    it('refuses a retry of a stale APPROVED request past expiresAt with 409 ABORTED', () => {
      expect(
        err(
          transition(
            inState('APPROVED'),
            {type: 'approve'},
            'carol@example.com',
            at(61),
          ),
        ),
      ).toMatchObject({
        status: 'ABORTED',
        message: expect.stringMatching(/can no longer be activated/),
      });
    });

    it('refuses a comment over 500 characters', () => {
      expect(
        err(
          transition(
            pending(),
            {type: 'approve', comment: 'x'.repeat(501)},
            'bob@example.com',
            at(1),
          ),
        ),
      ).toMatchObject({
        httpStatus: 400,
      });
    });

    it.each([
      [
        'a line break',
        'ok\nReview the request: https://evil.example',
        /^The comment must not contain control characters/,
      ],
      [
        'a right-to-left override',
        'ok \u202Edetaerc',
        /^The comment must not contain bidirectional formatting characters/,
      ],
    ])('refuses a comment with %s with 400', (_, comment, message) => {
      expect(
        err(
          transition(
            pending(),
            {type: 'approve', comment},
            'bob@example.com',
            at(1),
          ),
        ),
      ).toMatchObject({
        httpStatus: 400,
        message: expect.stringMatching(message),
      });
    });
  });

  describe('reading', () => {
    it('reads a PENDING request past expiresAt as EXPIRED', () => {
      expect(effectiveState(pending(), at(59.9))).toBe('PENDING');
      expect(effectiveState(pending(), at(60))).toBe('EXPIRED');
      expect(asRead(pending(), at(61)).state).toBe('EXPIRED');
    });

    it('reads an APPROVED record older than 2 minutes as FAILED, and lets a reviewer retry it', () => {
      const approved = inState('APPROVED');
      expect(effectiveState(approved, at(3))).toBe('APPROVED');
      expect(effectiveState(approved, at(3.01))).toBe('FAILED');
      expect(asRead(approved, at(4)).error).toMatch(/did not complete/);
      const retry = ok(
        transition(approved, {type: 'approve'}, 'carol@example.com', at(4)),
      );
      expect(retry).toMatchObject({
        activate: true,
        request: {state: 'APPROVED'},
      });
    });
  });

  describe('reading a FAILED request past expiresAt', () => {
    it('still reads it as FAILED (only the retry is refused)', () => {
      const failed = inState('FAILED');
      expect(effectiveState(failed, at(61))).toBe('FAILED');
      expect(asRead(failed, at(61))).toBe(failed);
      expect(effectiveState(inState('APPROVED'), at(61))).toBe('FAILED');
    });
  });

  describe('deny', () => {
    it('lets a listed reviewer deny a PENDING request with a reason', () => {
      const v = ok(
        transition(
          pending(),
          {type: 'deny', reason: 'not now'},
          'carol@example.com',
          at(2),
        ),
      );
      expect(v.request).toMatchObject({
        state: 'DENIED',
        reason: 'not now',
        decidedBy: 'carol@example.com',
        decidedAt: at(2).toISOString(),
      });
    });

    it.each([
      ['empty', ''],
      ['blank', '  \t'],
      ['over 500 characters', 'x'.repeat(501)],
      ['on two lines', 'no\n\nJIT Access sent this mail automatically.'],
      ['with a carriage return', 'no\r'],
      ['with NUL', 'no\u0000'],
      ['with a right-to-left override', 'no \u202Eyes'],
      ['with an isolate', 'no \u2067yes\u2069'],
    ])('refuses a deny whose reason is %s with 400', (_, reason) => {
      expect(
        err(
          transition(
            pending(),
            {type: 'deny', reason},
            'bob@example.com',
            at(1),
          ),
        ),
      ).toMatchObject({httpStatus: 400});
    });

    it('accepts a reason of exactly 500 characters', () => {
      ok(
        transition(
          pending(),
          {type: 'deny', reason: 'x'.repeat(500)},
          'bob@example.com',
          at(1),
        ),
      );
    });

    it('refuses a deny by someone who is not a reviewer, and by the requester, with 403', () => {
      expect(
        err(
          transition(
            pending(),
            {type: 'deny', reason: 'r'},
            'mallory@example.com',
            at(1),
          ),
        ).httpStatus,
      ).toBe(403);
      expect(
        err(
          transition(
            pending(),
            {type: 'deny', reason: 'r'},
            'alice@example.com',
            at(1),
          ),
        ).httpStatus,
      ).toBe(403);
    });

    it('lets any listed reviewer deny a FAILED request with a reason, even past expiresAt', () => {
      const failed = inState('FAILED');
      for (const [reviewer, when] of [
        ['bob@example.com', at(10)],
        ['carol@example.com', at(61)],
      ] as const) {
        const v = ok(
          transition(failed, {type: 'deny', reason: 'give up'}, reviewer, when),
        );
        expect(v.activate).toBe(false);
        expect(v.request).toMatchObject({
          state: 'DENIED',
          reason: 'give up',
          decidedBy: reviewer,
          decidedAt: when.toISOString(),
        });
      }
    });

    it('requires a reason, and a listed reviewer, to deny a FAILED request', () => {
      const failed = inState('FAILED');
      expect(
        err(
          transition(
            failed,
            {type: 'deny', reason: ' '},
            'carol@example.com',
            at(10),
          ),
        ).httpStatus,
      ).toBe(400);
      expect(
        err(
          transition(
            failed,
            {type: 'deny', reason: 'r'},
            'mallory@example.com',
            at(10),
          ),
        ).httpStatus,
      ).toBe(403);
    });

    it.each([
      ['APPROVED'],
      ['ACTIVE'],
      ['DENIED'],
      ['WITHDRAWN'],
      ['EXPIRED'],
    ] as const)('refuses to deny a %s request with 409 ABORTED', state => {
      expect(
        err(
          transition(
            inState(state),
            {type: 'deny', reason: 'r'},
            'carol@example.com',
            readTime(state),
          ),
        ).status,
      ).toBe('ABORTED');
    });
  });

  describe('withdraw and remind', () => {
    it('lets the requester withdraw a PENDING request', () => {
      const v = ok(
        transition(pending(), {type: 'withdraw'}, 'alice@example.com', at(3)),
      );
      expect(v.request).toMatchObject({
        state: 'WITHDRAWN',
        decidedBy: 'alice@example.com',
      });
    });

    it('refuses a reviewer trying to withdraw with 403', () => {
      expect(
        err(
          transition(pending(), {type: 'withdraw'}, 'bob@example.com', at(3)),
        ),
      ).toMatchObject({
        httpStatus: 403,
        status: 'PERMISSION_DENIED',
      });
    });

    it('lets the requester withdraw a FAILED request, even past expiresAt', () => {
      for (const when of [at(10), at(61)]) {
        const v = ok(
          transition(
            inState('FAILED'),
            {type: 'withdraw'},
            'alice@example.com',
            when,
          ),
        );
        expect(v.activate).toBe(false);
        expect(v.request).toMatchObject({
          state: 'WITHDRAWN',
          decidedBy: 'alice@example.com',
          decidedAt: when.toISOString(),
        });
      }
    });

    it('refuses a reviewer trying to withdraw a FAILED request with 403', () => {
      expect(
        err(
          transition(
            inState('FAILED'),
            {type: 'withdraw'},
            'bob@example.com',
            at(10),
          ),
        ).httpStatus,
      ).toBe(403);
    });

    it('lets the requester remind while PENDING, recording lastRemindedAt and nothing else', () => {
      const r = pending();
      expect(
        ok(transition(r, {type: 'remind'}, 'alice@example.com', at(6))).request,
      ).toEqual({...r, lastRemindedAt: at(6).toISOString()});
    });

    it('refuses a remind within 5 minutes of creation with 429, saying when it may be sent', () => {
      expect(
        err(
          transition(pending(), {type: 'remind'}, 'alice@example.com', at(3)),
        ),
      ).toEqual({
        httpStatus: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: expect.stringContaining(at(5).toISOString()),
      });
      ok(transition(pending(), {type: 'remind'}, 'alice@example.com', at(5)));
    });

    it('refuses a remind within 5 minutes of the last one with 429', () => {
      const reminded = ok(
        transition(pending(), {type: 'remind'}, 'alice@example.com', at(10)),
      ).request;
      expect(
        err(
          transition(reminded, {type: 'remind'}, 'alice@example.com', at(14.9)),
        ),
      ).toMatchObject({
        httpStatus: 429,
        message: expect.stringContaining(at(15).toISOString()),
      });
      expect(
        ok(transition(reminded, {type: 'remind'}, 'alice@example.com', at(15)))
          .request.lastRemindedAt,
      ).toBe(at(15).toISOString());
    });

    it('allows a remind at once when the first mail of the request was not delivered (how it is re-sent)', () => {
      const failedMail = pending({
        notification: {delivered: false, error: 'SMTP down'},
      });
      ok(
        transition(failedMail, {type: 'remind'}, 'alice@example.com', at(0.1)),
      );
    });

    it('keeps the interval after a reminder whose mail failed, so reminders cannot loop', () => {
      const failedReminder = pending({
        notification: {delivered: false, error: 'SMTP down'},
        lastRemindedAt: at(1).toISOString(),
      });
      expect(
        err(
          transition(
            failedReminder,
            {type: 'remind'},
            'alice@example.com',
            at(1.5),
          ),
        ).httpStatus,
      ).toBe(429);
      ok(
        transition(
          failedReminder,
          {type: 'remind'},
          'alice@example.com',
          at(6),
        ),
      );
    });

    it('refuses a reviewer trying to remind with 403', () => {
      expect(
        err(transition(pending(), {type: 'remind'}, 'bob@example.com', at(3)))
          .httpStatus,
      ).toBe(403);
    });

    it.each(
      RequestState.filter(s => s !== 'PENDING')
        .flatMap(s => [['withdraw', s] as const, ['remind', s] as const])
        .filter(([type, s]) => !(type === 'withdraw' && s === 'FAILED')),
    )('refuses to %s a %s request with 409 ABORTED', (type, state) => {
      expect(
        err(
          transition(
            inState(state),
            {type},
            'alice@example.com',
            readTime(state),
          ),
        ).status,
      ).toBe('ABORTED');
    });
  });

  describe('recording the IAM write', () => {
    const approved = inState('APPROVED');
    const start = approved.activation!.start;

    it('moves APPROVED to ACTIVE when the write of this attempt succeeded', () => {
      expect(
        ok(transition(approved, {type: 'activated', start}, 'system', at(2)))
          .request.state,
      ).toBe('ACTIVE');
    });

    it('moves APPROVED to FAILED with the error when the write failed', () => {
      const v = ok(
        transition(
          approved,
          {type: 'activationFailed', start, error: 'IAM down'},
          'system',
          at(2),
        ),
      );
      expect(v.request).toMatchObject({state: 'FAILED', error: 'IAM down'});
    });

    it('still records a success that arrives after the two minutes', () => {
      expect(
        ok(transition(approved, {type: 'activated', start}, 'system', at(10)))
          .request.state,
      ).toBe('ACTIVE');
    });

    it.each([
      ['activated', undefined, 'ACTIVE'],
      ['activationFailed', 'IAM down', 'FAILED'],
    ] as const)(
      'accepts a %s outcome recorded twice (a retry after a commit whose answer was lost)',
      (type, error, state) => {
        const action =
          type === 'activated'
            ? ({type, start} as const)
            : ({type, start, error: error!} as const);
        const once = ok(transition(approved, action, 'system', at(2))).request;
        const twice = ok(transition(once, action, 'system', at(3)));
        expect(twice.request).toEqual(once);
        expect(twice.request.state).toBe(state);
        expect(twice.activate).toBe(false);
      },
    );

    it('ignores the outcome of an attempt that a retry superseded', () => {
      expect(
        err(
          transition(
            approved,
            {type: 'activated', start: at(0).toISOString()},
            'system',
            at(2),
          ),
        ).status,
      ).toBe('ABORTED');
    });
  });
});

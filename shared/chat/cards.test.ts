import type {AccessRequest} from '../approvals/types';
import {chatText, isSettled, requestCard} from './cards';

const NOW = new Date('2026-12-04T10:00:00Z');

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    project: 'shop-prod',
    role: 'roles/compute.admin',
    requester: 'alice@example.com',
    reviewers: ['bob@example.com'],
    justification: 'case 1',
    durationMinutes: 90,
    state: 'PENDING',
    approvals: [],
    requiredApprovals: 1,
    createdAt: '2026-12-04T09:50:00Z',
    expiresAt: '2026-12-04T10:50:00Z',
    ...overrides,
  };
}

function buttonsOf(r: AccessRequest, link?: string): string[] {
  const card = requestCard(r, {link, timezone: 'UTC', now: NOW});
  return [...JSON.stringify(card).matchAll(/"text":"([^"]+)","onClick"/g)].map(
    m => m[1]!,
  );
}

describe('chatText', () => {
  it('escapes markup and keeps lines as <br>', () => {
    expect(chatText('a <b> & c\nd')).toBe('a &lt;b&gt; &amp; c<br>d');
  });

  it('replaces controls and bidirectional overrides', () => {
    const shown = chatText('x\u202Ey\u0007');
    expect(shown.includes('\u202E') || shown.includes('\u0007')).toBe(false);
  });
});

describe('requestCard', () => {
  it('offers Approve, Deny… and Open while the request waits', () => {
    expect(buttonsOf(request(), 'https://jit.example.com/requests/x')).toEqual([
      'Approve',
      'Deny…',
      'Open',
    ]);
  });

  it('has no Open button without a base URL', () => {
    expect(buttonsOf(request())).toEqual(['Approve', 'Deny…']);
  });

  it('offers Retry and Deny… when the activation failed', () => {
    expect(buttonsOf(request({state: 'FAILED', error: 'IAM said no'}))).toEqual(
      ['Retry', 'Deny…'],
    );
  });

  it.each([
    ['DENIED', {decidedBy: 'bob@example.com', reason: 'no'}],
    ['WITHDRAWN', {}],
    [
      'ACTIVE',
      {
        activation: {
          start: '2026-12-04T09:55:00Z',
          end: '2026-12-04T11:25:00Z',
        },
      },
    ],
  ] as const)('keeps only Open once %s', (state, extra) => {
    const r = request({state, ...extra});
    expect(buttonsOf(r, 'https://jit.example.com/requests/x')).toEqual([
      'Open',
    ]);
    expect(isSettled(r, NOW)).toBe(true);
  });

  it('reads EXPIRED past expiresAt, without buttons', () => {
    const r = request({expiresAt: '2026-12-04T09:59:00Z'});
    expect(buttonsOf(r)).toEqual([]);
    expect(
      JSON.stringify(requestCard(r, {timezone: 'UTC', now: NOW})),
    ).toContain('Expired');
  });

  it('shows the duration in hours when whole, and the condition escaped', () => {
    const json = JSON.stringify(
      requestCard(
        request({
          durationMinutes: 120,
          resourceCondition: 'resource.name == "x<y>"',
        }),
        {timezone: 'UTC', now: NOW},
      ),
    );
    expect(json).toContain('2 hours');
    expect(json).toContain('x&lt;y&gt;');
  });
});

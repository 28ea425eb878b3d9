/**
 * "My requests" and "Waiting for me": the viewer's requests as cards, newest
 * first, with the actions the viewer may take on each.
 */
import {AccessRequest, api, Policy} from './api.js';
import {countdown, formatDuration, h, replace, timeElement} from './dom.js';
import {inlineError} from './flash.js';
import {
  approvalsText,
  effectiveState,
  requestActions,
  stateBadge,
} from './request-parts.js';

/** A summary card of one request. */
export function requestCard(
  r: AccessRequest,
  viewer: string,
  changed: () => Promise<void>,
): HTMLElement {
  const state = effectiveState(r);
  const asReviewer = r.requester !== viewer;
  const facts: Array<Node | string> = [];
  if (asReviewer) facts.push(`From ${r.requester}`);
  else facts.push(`To ${r.reviewers.join(', ')}`);
  facts.push(
    ' · requested ',
    timeElement(r.createdAt),
    ` · for ${formatDuration(r.durationMinutes)}`,
  );
  let outcome: Node | string | null = null;
  if (state === 'PENDING') {
    outcome = h(
      'span',
      {},
      approvalsText(r),
      ' · expires ',
      timeElement(r.expiresAt),
    );
  } else if (state === 'ACTIVE' && r.activation) {
    outcome = h(
      'span',
      {},
      'Active: ',
      countdown(r.activation.end),
      ' (until ',
      timeElement(r.activation.end),
      ')',
    );
  } else if (state === 'DENIED') {
    outcome = h(
      'span',
      {},
      `Denied by ${r.decidedBy ?? 'a reviewer'}: `,
      h('q', {class: 'reason'}, r.reason ?? ''),
    );
  } else if (state === 'FAILED') {
    outcome = h(
      'span',
      {class: 'error-text'},
      `Activation failed: ${r.error ?? 'unknown error'}`,
    );
  }
  return h(
    'li',
    {class: 'card', 'data-request-id': r.id},
    h(
      'div',
      {class: 'card-head'},
      h(
        'a',
        {href: `/requests/${encodeURIComponent(r.id)}`},
        h('code', {class: 'role'}, r.role),
        ` on ${r.project}`,
      ),
      stateBadge(r),
    ),
    h('p', {class: 'meta'}, facts),
    h(
      'p',
      {},
      h('span', {class: 'muted'}, 'Justification: '),
      h('span', {class: 'justification'}, r.justification),
    ),
    outcome ? h('p', {class: 'meta'}, outcome) : null,
    requestActions(r, viewer, changed),
  );
}

function list(
  requests: AccessRequest[],
  viewer: string,
  changed: () => Promise<void>,
): HTMLElement {
  return h(
    'ul',
    {class: 'cards'},
    requests.map(r => requestCard(r, viewer, changed)),
  );
}

/** My requests: everything the viewer asked for. */
export async function showMyRequests(
  main: HTMLElement,
  policy: Policy,
): Promise<void> {
  const area = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main, h('h1', {}, 'My requests'), area);
  const load = async () => {
    try {
      const {requests} = await api.requests('requester');
      replace(
        area,
        requests.length
          ? list(requests, policy.signedInUser.email, load)
          : h(
              'p',
              {class: 'empty'},
              'You have not requested any role yet. Peer-approval roles are requested from the Roles page.',
            ),
      );
    } catch (e) {
      replace(area, inlineError(e));
    }
  };
  await load();
}

/** Waiting for me: requests the viewer reviews, open ones first. */
export async function showWaiting(
  main: HTMLElement,
  policy: Policy,
  onCount: (pending: number) => void,
): Promise<void> {
  const area = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main, h('h1', {}, 'Waiting for me'), area);
  const viewer = policy.signedInUser.email;
  const load = async () => {
    try {
      const {requests} = await api.requests('reviewer');
      const open = requests.filter(r => {
        const s = effectiveState(r);
        return (
          (s === 'PENDING' && !r.approvals.some(a => a.reviewer === viewer)) ||
          s === 'FAILED'
        );
      });
      const rest = requests.filter(r => !open.includes(r));
      onCount(open.filter(r => effectiveState(r) === 'PENDING').length);
      replace(
        area,
        open.length
          ? list(open, viewer, load)
          : h('p', {class: 'empty'}, 'Nothing is waiting for you.'),
        rest.length
          ? h(
              'details',
              {},
              h('summary', {}, `Earlier requests (${rest.length})`),
              list(rest, viewer, load),
            )
          : null,
      );
    } catch (e) {
      replace(area, inlineError(e));
    }
  };
  await load();
}

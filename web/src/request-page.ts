/**
 * The request page (`/requests/<id>`, the link in every email): who asks for
 * what, why, for how long, its state, and the actions the viewer may take.
 */
import {AccessRequest, api, Policy} from './api.js';
import {
  countdown,
  formatDuration,
  h,
  replace,
  timeElement,
  Child,
} from './dom.js';
import {inlineError} from './flash.js';
import {
  approvalsText,
  effectiveState,
  requestActions,
  stateBadge,
} from './request-parts.js';

function row(term: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function render(
  main: HTMLElement,
  r: AccessRequest,
  viewer: string,
  onChange: () => void,
): void {
  const state = effectiveState(r);
  const approvedBy = new Map(r.approvals.map(a => [a.reviewer, a]));
  const reviewers = h(
    'ul',
    {class: 'plain'},
    r.reviewers.map(reviewer => {
      const approval = approvedBy.get(reviewer);
      return h(
        'li',
        {},
        reviewer,
        approval
          ? [
              ' — ',
              h('span', {class: 'ok-text'}, 'approved'),
              ' ',
              timeElement(approval.at),
              approval.comment ? [': ', h('q', {}, approval.comment)] : '',
            ]
          : '',
      );
    }),
  );
  const actions = requestActions(
    r,
    viewer,
    updated => render(main, updated, viewer, onChange),
    {comment: true},
  );
  replace(
    main,
    h('h1', {}, 'Access request ', stateBadge(r)),
    h(
      'p',
      {class: 'lead'},
      h('strong', {}, r.requester),
      ' asks for ',
      h('code', {class: 'role'}, r.role),
      ' on ',
      h('strong', {}, r.project),
      ` for ${formatDuration(r.durationMinutes)}.`,
    ),
    h(
      'dl',
      {class: 'details'},
      row(
        'Justification',
        h('span', {class: 'justification'}, r.justification),
      ),
      r.resourceCondition
        ? row(
            'Resource condition',
            h('code', {class: 'condition'}, r.resourceCondition),
          )
        : [],
      row('Requested', timeElement(r.createdAt)),
      state === 'PENDING' ? row('Expires', timeElement(r.expiresAt)) : [],
      row('Approvals', approvalsText(r)),
      row('Reviewers', reviewers),
      r.decidedBy || r.decidedAt
        ? row(
            state === 'DENIED' ? 'Denied' : 'Decided',
            r.decidedBy ?? '',
            r.decidedAt ? [' ', timeElement(r.decidedAt)] : '',
          )
        : [],
      r.reason ? row('Reason', h('q', {class: 'reason'}, r.reason)) : [],
      r.activation
        ? row(
            'Access',
            timeElement(r.activation.start),
            ' – ',
            timeElement(r.activation.end),
            state === 'ACTIVE' ? [' (', countdown(r.activation.end), ')'] : '',
          )
        : [],
      r.error ? row('Error', h('span', {class: 'error-text'}, r.error)) : [],
      r.notification && !r.notification.delivered
        ? row(
            'Email',
            h(
              'span',
              {class: 'error-text'},
              `not delivered${r.notification.error ? `: ${r.notification.error}` : ''}`,
            ),
          )
        : [],
      r.event && !r.event.published
        ? row(
            'Event',
            h(
              'span',
              {class: 'error-text'},
              `not published${r.event.error ? `: ${r.event.error}` : ''}`,
            ),
          )
        : [],
    ),
    actions ??
      h(
        'p',
        {class: 'muted'},
        r.requester === viewer || r.reviewers.includes(viewer)
          ? 'No action is open to you on this request.'
          : '',
      ),
  );
  onChange();
}

export async function showRequest(
  main: HTMLElement,
  policy: Policy,
  id: string,
  onChange: () => void,
): Promise<void> {
  replace(
    main,
    h('h1', {}, 'Access request'),
    h('p', {class: 'muted'}, 'Loading…'),
  );
  try {
    const request = await api.request(id);
    render(main, request, policy.signedInUser.email, onChange);
  } catch (e) {
    replace(
      main,
      h('h1', {}, 'Access request'),
      inlineError(e),
      h('p', {}, h('a', {href: '/#mine'}, 'Back to my requests')),
    );
  }
}

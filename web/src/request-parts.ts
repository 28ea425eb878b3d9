/**
 * Pieces of a request shared by the lists and the request page: its state as
 * the viewer should read it, and the actions the viewer may take.
 */
import {effectiveState as stateAt} from '../../shared/approvals/effective-state';
import {MAX_REASON_LENGTH, reasonProblem} from '../../shared/limits';
import {AccessRequest, api, RequestAction, RequestState} from './api.js';
import {h, replace} from './dom.js';
import {inlineError, showSuccess} from './flash.js';

const STATE_LABEL: Record<RequestState, string> = {
  PENDING: 'Pending',
  APPROVED: 'Approved',
  ACTIVE: 'Active',
  FAILED: 'Failed',
  DENIED: 'Denied',
  WITHDRAWN: 'Withdrawn',
  EXPIRED: 'Expired',
};

/**
 * The state as the server reads it (docs/design.md §2.1): a pending request
 * past its deadline is EXPIRED, a write that never finished is FAILED.
 */
export function effectiveState(
  r: AccessRequest,
  now = Date.now(),
): RequestState {
  return stateAt(r, new Date(now));
}

export function stateBadge(r: AccessRequest): HTMLElement {
  const state = effectiveState(r);
  return h(
    'span',
    {class: `badge state-${state.toLowerCase()}`, 'data-state': state},
    STATE_LABEL[state],
  );
}

export function approvalsText(r: AccessRequest): string {
  return `${r.approvals.length} of ${r.requiredApprovals} approval${r.requiredApprovals === 1 ? '' : 's'}`;
}

const DONE_MESSAGE: Record<RequestAction, string> = {
  approve: 'Approved',
  deny: 'Denied',
  withdraw: 'Withdrawn',
  remind: 'Reminder sent for',
};

/**
 * The buttons the viewer may use on this request, or null when none apply.
 * `changed` receives the updated request.
 */
export function requestActions(
  r: AccessRequest,
  viewer: string,
  changed: (updated: AccessRequest) => void | Promise<void>,
  options: {comment?: boolean} = {},
): HTMLElement | null {
  const state = effectiveState(r);
  const isReviewer = r.reviewers.includes(viewer);
  const isRequester = r.requester === viewer;
  const approved = r.approvals.some(a => a.reviewer === viewer);
  const container = h('div', {class: 'actions'});
  const errors = h('div', {});
  const buttons: HTMLButtonElement[] = [];
  const label = `${r.role} on ${r.project} for ${r.requester}`;

  const run = (action: RequestAction, body: object = {}) => {
    for (const b of buttons) b.disabled = true;
    replace(errors);
    api
      .act(r.id, action, body)
      .then(async updated => {
        if (action === 'remind' && updated.notification?.delivered === false) {
          replace(
            errors,
            inlineError(
              `The reminder could not be sent: ${updated.notification.error ?? 'unknown error'}`,
            ),
          );
        } else {
          showSuccess(`${DONE_MESSAGE[action]} ${label}.`);
        }
        await changed(updated);
      })
      .catch(e => {
        replace(errors, inlineError(e));
        for (const b of buttons) b.disabled = false;
      });
  };
  const button = (text: string, onclick: () => void, cls = '') => {
    const b = h(
      'button',
      {type: 'button', class: cls || undefined, onclick},
      text,
    );
    buttons.push(b);
    return b;
  };

  // A FAILED request may be retried (approved again) until it expires, and
  // closed (denied by a reviewer, withdrawn by its requester) at any time.
  const expired = Date.parse(r.expiresAt) <= Date.now();
  const open = state === 'PENDING' && !approved;
  const canApprove = isReviewer && (open || (state === 'FAILED' && !expired));
  const canDeny = isReviewer && (open || state === 'FAILED');
  if (canApprove || canDeny) {
    const comment = options.comment
      ? h('input', {
          type: 'text',
          maxlength: MAX_REASON_LENGTH,
          'aria-label': 'Comment (optional)',
          placeholder: 'Comment (optional)',
        })
      : null;
    const denyArea = h('div', {});
    container.append(
      ...(comment ? [comment] : []),
      ...(canApprove
        ? [
            button(
              state === 'FAILED' ? 'Approve again (retry)' : 'Approve',
              () => {
                const text = comment?.value.trim() ?? '';
                const problem = text
                  ? reasonProblem('comment', text)
                  : undefined;
                if (problem !== undefined) {
                  replace(errors, inlineError(problem));
                  comment?.focus();
                  return;
                }
                run('approve', text ? {comment: text} : {});
              },
            ),
          ]
        : []),
      ...(canDeny ? [button('Deny…', () => openDeny(denyArea), 'danger')] : []),
    );
    const openDeny = (area: HTMLElement) => {
      const id = `deny-${r.id}`;
      // One line, as the API takes it: a reason has no line breaks.
      const reason = h('input', {
        id,
        type: 'text',
        required: true,
        maxlength: MAX_REASON_LENGTH,
        autocomplete: 'off',
      });
      const problem = h('p', {class: 'field-error'});
      const form = h(
        'form',
        {class: 'deny-form', novalidate: true},
        h('label', {for: id}, 'Reason for denying'),
        reason,
        problem,
        h(
          'div',
          {class: 'actions'},
          button('Deny request', () => form.requestSubmit(), 'danger'),
          h(
            'button',
            {type: 'button', class: 'secondary', onclick: () => replace(area)},
            'Cancel',
          ),
        ),
      );
      form.addEventListener('submit', event => {
        event.preventDefault();
        const text = reason.value.trim();
        const wrong = text
          ? reasonProblem('reason', text)
          : 'Enter a reason: the requester will see it.';
        if (wrong !== undefined) {
          problem.textContent = wrong;
          reason.focus();
          return;
        }
        run('deny', {reason: text});
      });
      replace(area, form);
      reason.focus();
    };
    return h('div', {}, container, denyArea, errors);
  }
  if (isRequester && (state === 'PENDING' || state === 'FAILED')) {
    container.append(
      ...(state === 'PENDING'
        ? [button('Remind reviewers', () => run('remind'))]
        : []),
      button('Withdraw', () => run('withdraw'), 'secondary'),
    );
    return h('div', {}, container, errors);
  }
  return null;
}

/**
 * The request for approval of a peer-approval role: justification, duration,
 * and reviewers chosen from the peers within the policy's bounds.
 */
import {api, Entitlement, Policy} from './api.js';
import {h, replace} from './dom.js';
import {durationField, justificationField} from './fields.js';
import {inlineError, showSuccess} from './flash.js';

// With more peers than this, a filter box helps find a reviewer.
const FILTER_THRESHOLD = 8;

/** Opens the form in `panel`; `done` reloads the roles after a request. */
export async function showRequestForm(
  panel: HTMLElement,
  policy: Policy,
  project: string,
  entitlement: Entitlement,
  done: () => Promise<void>,
): Promise<void> {
  const title = h(
    'h2',
    {id: 'request-title', tabindex: -1},
    'Request ',
    h('code', {}, entitlement.role),
  );
  replace(
    panel,
    h(
      'section',
      {class: 'panel', 'aria-labelledby': 'request-title'},
      title,
      h('p', {class: 'muted'}, 'Loading reviewers…'),
    ),
  );
  title.focus();
  let peers: string[];
  try {
    peers = (await api.peers(project, entitlement)).peers;
  } catch (e) {
    replace(panel, h('section', {class: 'panel'}, title, inlineError(e)));
    return;
  }

  const min = Math.max(policy.minReviewers, policy.requiredApprovals);
  const max = policy.maxReviewers;
  const justification = justificationField(policy);
  const duration = durationField(policy);
  const chosen = new Set<string>();
  const reviewerError = h('p', {class: 'field-error', id: 'reviewers-error'});
  const submit = h(
    'button',
    {type: 'submit', id: 'request-button'},
    'Send request',
  );
  const cancel = h(
    'button',
    {type: 'button', class: 'secondary', onclick: () => replace(panel)},
    'Cancel',
  );
  const errors = h('div', {});

  const boxes = peers.map(peer => {
    const box = h('input', {type: 'checkbox', value: peer, name: 'reviewer'});
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(peer);
      else chosen.delete(peer);
      if (reviewerError.textContent) checkReviewers();
    });
    return h('li', {'data-peer': peer}, h('label', {}, box, ' ', peer));
  });
  const filter =
    peers.length > FILTER_THRESHOLD
      ? h('input', {
          type: 'search',
          placeholder: 'Filter reviewers',
          'aria-label': 'Filter reviewers',
          oninput: (event: Event) => {
            const text = (event.target as HTMLInputElement).value.toLowerCase();
            for (const li of boxes) {
              li.hidden = !(li.dataset.peer ?? '').includes(text);
            }
          },
        })
      : null;
  const bounds =
    min === max
      ? `Choose ${min} reviewer${min === 1 ? '' : 's'}`
      : `Choose ${min} to ${max} reviewers`;
  const needed = `${policy.requiredApprovals} approval${policy.requiredApprovals === 1 ? '' : 's'} needed`;

  function checkReviewers(): string | undefined {
    const n = chosen.size;
    const problem = n < min || n > max ? `${bounds}; ${n} chosen.` : undefined;
    reviewerError.textContent = problem ?? '';
    return problem;
  }

  const form = h(
    'form',
    {
      class: 'panel',
      id: 'request-form',
      novalidate: true,
      'aria-labelledby': 'request-title',
    },
    title,
    entitlement.resourceCondition
      ? h('p', {class: 'condition'}, entitlement.resourceCondition)
      : null,
    h(
      'p',
      {class: 'hint'},
      `On ${project}. The request waits ${policy.requestTimeoutMinutes} min for approval.`,
    ),
    h('div', {class: 'row'}, justification.element, duration.element),
    h(
      'fieldset',
      {
        class: 'reviewers',
        'aria-describedby': 'reviewers-hint reviewers-error',
      },
      h('legend', {}, 'Reviewers'),
      h('p', {class: 'hint', id: 'reviewers-hint'}, `${bounds}; ${needed}.`),
      filter,
      peers.length
        ? h('ul', {class: 'checklist'}, boxes)
        : h(
            'p',
            {class: 'notice warn'},
            'Nobody else is eligible for this role, so nobody can approve it.',
          ),
      reviewerError,
    ),
    h('div', {class: 'actions'}, submit, cancel),
    errors,
  );
  submit.disabled = peers.length < min;
  form.addEventListener('submit', event => {
    event.preventDefault();
    replace(errors);
    const problem = justification.validate() ?? checkReviewers();
    if (problem) return;
    submit.disabled = true;
    api
      .requestApproval(project, {
        ...entitlement,
        justification: justification.input.value,
        durationMinutes: duration.value(),
        reviewers: [...chosen],
      })
      .then(async request => {
        replace(panel);
        showSuccess(
          `Requested ${request.role} on ${request.project}; waiting for ${request.reviewers.join(', ')}. `,
          h(
            'a',
            {href: `/requests/${encodeURIComponent(request.id)}`},
            'View the request',
          ),
        );
        await done();
      })
      .catch(e => {
        replace(errors, inlineError(e));
        submit.disabled = false;
      });
  });
  replace(panel, form);
  justification.input.focus();
}

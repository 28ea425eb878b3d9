/**
 * "My access": the viewer's grants (docs/grants.md). Active ones first, with
 * the time left and an End now button; then the history, newest first, a
 * page at a time; then the grants the viewer approved. An auditor also sees
 * every grant, filterable, with the drift flag, and can run reconciliation.
 */
import {effectiveGrantState} from '../../shared/grants/effective-state';
import {MAX_REASON_LENGTH, reasonProblem} from '../../shared/limits';
import {api, Grant, GrantState, GrantView} from './api.js';
import {countdown, h, replace, timeElement} from './dom.js';
import {inlineError, showSuccess} from './flash.js';

const STATE_LABEL: Record<GrantState, string> = {
  ACTIVATING: 'Activating',
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  REVOKED: 'Ended early',
  FAILED: 'Failed',
};

/** The state as read now (the server's own rule). */
function stateOf(g: Grant): GrantState {
  return effectiveGrantState(g, new Date());
}

function badge(g: Grant): HTMLElement {
  const state = stateOf(g);
  return h(
    'span',
    {class: `badge state-${state.toLowerCase()}`, 'data-state': state},
    STATE_LABEL[state],
  );
}

/** End now: by the holder without a reason, by an auditor with one. */
function endNow(
  g: Grant,
  viewer: string,
  changed: () => Promise<void>,
): HTMLElement {
  const errors = h('div', {});
  const own = g.user === viewer;
  const reason = h('input', {
    type: 'text',
    maxlength: MAX_REASON_LENGTH,
    'aria-label': own ? 'Reason (optional)' : 'Reason (required)',
    placeholder: own ? 'Reason (optional)' : 'Reason (required)',
    autocomplete: 'off',
  });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: () => {
        const text = reason.value.trim();
        const problem = text
          ? reasonProblem('reason', text)
          : own
            ? undefined
            : "Enter a reason: ending another user's access needs one.";
        if (problem !== undefined) {
          replace(errors, inlineError(problem));
          reason.focus();
          return;
        }
        button.disabled = true;
        replace(errors);
        api
          .revokeGrant(g.id, text ? {reason: text} : {})
          .then(async result => {
            showSuccess(
              `Ended ${g.role} on ${g.project}${own ? '' : ` for ${g.user}`}. ${result.note}`,
            );
            await changed();
          })
          .catch(e => {
            replace(errors, inlineError(e));
            button.disabled = false;
          });
      },
    },
    'End now',
  );
  return h('div', {}, h('div', {class: 'actions'}, reason, button), errors);
}

function grantCard(
  g: Grant,
  viewer: string,
  mayEnd: boolean,
  changed: () => Promise<void>,
): HTMLElement {
  const state = stateOf(g);
  const facts: Array<Node | string> = [];
  if (g.user !== viewer) facts.push(`${g.user} · `);
  facts.push(
    g.origin === 'self'
      ? 'self-approved'
      : `approved by ${g.approvers.join(', ')}`,
    ' · from ',
    timeElement(g.start),
  );
  let outcome: Node | string | null = null;
  if (state === 'ACTIVE') {
    outcome = h(
      'span',
      {},
      'Active: ',
      countdown(g.end),
      ' (until ',
      timeElement(g.end),
      ')',
    );
  } else if (state === 'REVOKED') {
    outcome = h(
      'span',
      {},
      `Ended early by ${g.revokedBy ?? 'someone'}`,
      g.revokeReason ? [': ', h('q', {class: 'reason'}, g.revokeReason)] : '',
    );
  } else if (state === 'FAILED') {
    outcome = h(
      'span',
      {class: 'error-text'},
      `Activation failed: ${g.error ?? 'unknown error'}`,
    );
  } else if (state === 'EXPIRED') {
    outcome = h('span', {}, 'Ended ', timeElement(g.end));
  } else {
    outcome = h('span', {}, 'Being written to the IAM policy…');
  }
  return h(
    'li',
    {class: 'card', 'data-grant-id': g.id},
    h(
      'div',
      {class: 'card-head'},
      h(
        'span',
        {},
        h('code', {class: 'role'}, g.role),
        ` on ${g.project}`,
        g.resourceCondition
          ? h('span', {class: 'muted'}, ` (${g.resourceCondition})`)
          : '',
      ),
      h(
        'span',
        {},
        g.externallyModified
          ? h(
              'span',
              {
                class: 'badge state-failed',
                'data-drift': 'true',
                title:
                  'The binding was changed or removed outside JIT Access (found by reconciliation)',
              },
              'Changed outside',
            )
          : '',
        ' ',
        badge(g),
      ),
    ),
    h('p', {class: 'meta'}, facts),
    h(
      'p',
      {},
      h('span', {class: 'muted'}, 'Justification: '),
      h('span', {class: 'justification'}, g.justification),
    ),
    h('p', {class: 'meta'}, outcome),
    mayEnd && state === 'ACTIVE' ? endNow(g, viewer, changed) : null,
  );
}

/** A paged list of grants of one view, with a "Show more" button. */
function pagedList(
  view: GrantView,
  filters: Record<string, string>,
  viewer: string,
  mayEnd: (g: Grant) => boolean,
  changed: () => Promise<void>,
  empty: string,
  skip: (g: Grant) => boolean = () => false,
): HTMLElement {
  const list = h('ul', {class: 'cards'});
  const more = h('div', {});
  const area = h('div', {}, list, more);
  const load = async (pageToken?: string) => {
    try {
      const page = await api.grants(view, {
        ...filters,
        ...(pageToken ? {pageToken} : {}),
      });
      const shown = page.grants.filter(g => !skip(g));
      list.append(...shown.map(g => grantCard(g, viewer, mayEnd(g), changed)));
      if (!pageToken && list.childElementCount === 0 && !page.nextPageToken) {
        replace(area, h('p', {class: 'empty'}, empty));
        return;
      }
      replace(
        more,
        page.nextPageToken
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => void load(page.nextPageToken),
              },
              'Show more',
            )
          : null,
      );
    } catch (e) {
      replace(more, inlineError(e));
    }
  };
  void load();
  return area;
}

/** The auditor's section: every grant, filters, and reconciliation. */
function auditorSection(
  viewer: string,
  changed: () => Promise<void>,
): HTMLElement {
  const results = h('div', {});
  const summary = h('div', {});
  const field = (name: string, label: string, placeholder: string) =>
    h(
      'label',
      {},
      `${label} `,
      h('input', {type: 'text', name, placeholder, autocomplete: 'off'}),
    );
  const state = h(
    'select',
    {name: 'state', 'aria-label': 'State'},
    h('option', {value: ''}, 'Any state'),
    (Object.keys(STATE_LABEL) as GrantState[]).map(s =>
      h('option', {value: s}, STATE_LABEL[s]),
    ),
  );
  const form = h(
    'form',
    {class: 'filters'},
    field('user', 'User', 'user@example.com'),
    field('project', 'Project', 'project-id'),
    state,
    h('button', {type: 'submit'}, 'Filter'),
  );
  const show = () => {
    const data = new FormData(form);
    const filters: Record<string, string> = {};
    for (const key of ['user', 'project', 'state']) {
      const value = String(data.get(key) ?? '').trim();
      if (value) filters[key] = value;
    }
    replace(
      results,
      pagedList(
        'auditor',
        filters,
        viewer,
        () => true,
        changed,
        'No grant matches.',
      ),
    );
  };
  form.addEventListener('submit', event => {
    event.preventDefault();
    show();
  });
  const run = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        run.disabled = true;
        replace(summary, h('p', {class: 'muted'}, 'Reconciling…'));
        api
          .reconcile()
          .then(s => {
            replace(
              summary,
              h(
                'p',
                {class: 'notice ok', 'data-reconcile': 'done'},
                `Reconciliation: ${s.projectsRead} projects read, ${s.grantsSettled} grants settled, ${s.driftFound} changed outside, ${s.requestsSettled} requests settled, ${s.orphans.length} orphan bindings, ${s.bindingsPurged} bindings purged, ${s.policiesWritten} policies written.`,
                s.errors.length
                  ? ` Not done: ${s.errors.map(e => `${e.project} (${e.error})`).join('; ')}.`
                  : '',
              ),
            );
            show();
          })
          .catch(e => replace(summary, inlineError(e)))
          .finally(() => {
            run.disabled = false;
          });
      },
    },
    'Run reconciliation',
  );
  show();
  return h(
    'section',
    {'aria-labelledby': 'all-grants'},
    h('h2', {id: 'all-grants'}, 'All grants (auditor)'),
    h('div', {class: 'actions'}, run),
    summary,
    form,
    results,
  );
}

/** My access: the viewer's grants, what they approved, and (auditors) everyone's. */
export async function showMyAccess(
  main: HTMLElement,
  viewer: string,
): Promise<void> {
  const area = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main, h('h1', {}, 'My access'), area);
  const load = async (): Promise<void> => {
    let active: Grant[];
    let auditor: boolean;
    try {
      const page = await api.grants('holder', {state: 'ACTIVE'});
      active = page.grants;
      auditor = page.auditor === true;
    } catch (e) {
      replace(area, inlineError(e));
      return;
    }
    const activeIds = new Set(active.map(g => g.id));
    replace(
      area,
      h(
        'section',
        {'aria-labelledby': 'active-grants'},
        h('h2', {id: 'active-grants'}, 'Active now'),
        active.length
          ? h(
              'ul',
              {class: 'cards'},
              active.map(g => grantCard(g, viewer, true, load)),
            )
          : h(
              'p',
              {class: 'empty'},
              'You hold no role through JIT Access right now.',
            ),
        h(
          'p',
          {class: 'muted'},
          'Ending access removes the binding at once; IAM may keep honouring it for a few minutes (typically 2, up to 7).',
        ),
      ),
      h(
        'section',
        {'aria-labelledby': 'history'},
        h('h2', {id: 'history'}, 'History'),
        pagedList(
          'holder',
          {},
          viewer,
          () => false,
          load,
          'No earlier grants.',
          g => activeIds.has(g.id),
        ),
      ),
      h(
        'section',
        {'aria-labelledby': 'approved-by-me'},
        h('h2', {id: 'approved-by-me'}, 'Approved by me'),
        pagedList(
          'reviewer',
          {},
          viewer,
          () => false,
          load,
          'You have not approved any grant.',
        ),
      ),
      auditor ? auditorSection(viewer, load) : null,
    );
  };
  await load();
}

/**
 * The Roles view: a project picker with search, the project's roles (type,
 * status, time left), self-activation of one or several roles, and the entry
 * to a request for approval.
 */
import {entitlementKey} from '../../shared/eligibility/entitlement-id';
import {api, Entitlement, Policy, RoleEntry} from './api.js';
import {countdown, h, replace, timeElement} from './dom.js';
import {durationField, justificationField} from './fields.js';
import {inlineError, showSuccess} from './flash.js';
import {showRequestForm} from './request-form.js';

const LAST_PROJECT_KEY = 'jit-access.project';

const TYPE_LABEL = {JIT: 'Self-approval', MPA: 'Peer approval'} as const;
const STATUS_LABEL = {
  ELIGIBLE: 'Eligible',
  ACTIVE: 'Active',
  PENDING_APPROVAL: 'Pending approval',
} as const;

function entitlementOf(entry: RoleEntry): Entitlement {
  return entry.resourceCondition === undefined
    ? {role: entry.role}
    : {role: entry.role, resourceCondition: entry.resourceCondition};
}

function rememberProject(project: string): void {
  try {
    localStorage.setItem(LAST_PROJECT_KEY, project);
  } catch {
    // Storage may be disabled; remembering is a convenience.
  }
}

function lastProject(): string | undefined {
  try {
    return localStorage.getItem(LAST_PROJECT_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Renders the view; `requested` is the project named in the URL, if any. */
export async function showRoles(
  main: HTMLElement,
  policy: Policy,
  requested: string | undefined,
): Promise<void> {
  const input = h('input', {
    id: 'project',
    type: 'search',
    list: 'project-list',
    placeholder: 'Search projects',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'project-count',
    // Enabled once the list is there, so that nothing typed is lost.
    disabled: true,
  });
  const datalist = h('datalist', {id: 'project-list'});
  const count = h('span', {id: 'project-count', class: 'hint'}, 'Loading…');
  const area = h('div', {id: 'roles-area', 'aria-live': 'polite'});
  replace(
    main,
    h('h1', {}, 'Roles'),
    h(
      'div',
      {class: 'picker'},
      h('label', {for: 'project'}, 'Project'),
      input,
      datalist,
      count,
    ),
    area,
  );

  let projects: string[];
  try {
    projects = (await api.projects()).projects;
  } catch (e) {
    count.textContent = '';
    replace(area, inlineError(e));
    return;
  }
  replace(
    datalist,
    projects.map(p => h('option', {value: p})),
  );
  input.disabled = false;
  count.textContent = `${projects.length} project${projects.length === 1 ? '' : 's'} in ${policy.scope}`;
  if (projects.length === 0) {
    replace(
      area,
      h('p', {class: 'empty'}, 'You are not eligible for any role here.'),
    );
    return;
  }

  let current: string | undefined;
  const choose = (project: string) => {
    input.value = project;
    if (project === current) return;
    current = project;
    rememberProject(project);
    history.replaceState(null, '', `/#roles/${encodeURIComponent(project)}`);
    void loadRoles(area, policy, project);
  };
  // A pick from the suggestions, or a name typed in full, opens the project.
  input.addEventListener('input', () => {
    if (projects.includes(input.value)) choose(input.value);
  });
  input.addEventListener('keydown', event => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const text = input.value.trim().toLowerCase();
    const match =
      projects.find(p => p === text) ??
      projects.find(p => p.toLowerCase().includes(text));
    if (match) choose(match);
    else replace(area, inlineError(`No project matches “${input.value}”.`));
  });

  const initial = [requested, lastProject()].find(
    p => p !== undefined && projects.includes(p),
  );
  if (initial) choose(initial);
  else if (projects.length === 1) choose(projects[0]!);
  else {
    replace(area, h('p', {class: 'empty'}, 'Choose a project.'));
    input.focus();
  }
}

async function loadRoles(
  area: HTMLElement,
  policy: Policy,
  project: string,
): Promise<void> {
  replace(area, h('p', {class: 'muted'}, 'Loading roles…'));
  let roles: RoleEntry[];
  let warnings: string[];
  try {
    const result = await api.roles(project);
    roles = result.roles;
    warnings = result.warnings ?? [];
  } catch (e) {
    replace(area, inlineError(e));
    return;
  }
  const reload = () => loadRoles(area, policy, project);
  const warningList = warnings.length
    ? h(
        'ul',
        {class: 'notice warn'},
        warnings.map(w => h('li', {}, w)),
      )
    : null;
  if (roles.length === 0) {
    replace(
      area,
      warningList,
      h('p', {class: 'empty'}, `You have no eligible roles on ${project}.`),
    );
    return;
  }

  const selected = new Map<string, Entitlement>();
  const panel = h('div', {id: 'role-panel'});
  const activate = activationForm(policy, project, selected, reload);
  const onToggle = () => activate.update();
  const openRequest = (entry: RoleEntry) =>
    showRequestForm(panel, policy, project, entitlementOf(entry), reload);

  const rows = roles.map(entry =>
    roleRow(entry, selected, onToggle, openRequest),
  );
  replace(
    area,
    warningList,
    h(
      'table',
      {class: 'roles'},
      h('caption', {}, `Your roles on ${project}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Select')),
          h('th', {scope: 'col'}, 'Role'),
          h('th', {scope: 'col'}, 'Type'),
          h('th', {scope: 'col'}, 'Status'),
          h('th', {scope: 'col'}, 'Time left'),
          h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')),
        ),
      ),
      h('tbody', {}, rows),
    ),
    roles.some(r => r.activationType === 'JIT') ? activate.element : null,
    panel,
  );
}

function roleRow(
  entry: RoleEntry,
  selected: Map<string, Entitlement>,
  onToggle: () => void,
  openRequest: (entry: RoleEntry) => void,
): HTMLElement {
  const key = entitlementKey(entry);
  let select: Node | string = '';
  if (entry.activationType === 'JIT' && entry.status !== 'PENDING_APPROVAL') {
    const box = h('input', {
      type: 'checkbox',
      'aria-label': `Select ${entry.role}${entry.resourceCondition ? ' (conditional)' : ''}`,
      'data-role': entry.role,
    });
    box.addEventListener('change', () => {
      if (box.checked) selected.set(key, entitlementOf(entry));
      else selected.delete(key);
      onToggle();
    });
    select = box;
  }
  let action: Node | string = '';
  if (entry.activationType === 'MPA' && entry.status !== 'PENDING_APPROVAL') {
    action = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => openRequest(entry),
      },
      entry.status === 'ACTIVE' ? 'Request extension' : 'Request approval',
    );
  } else if (entry.status === 'PENDING_APPROVAL' && entry.requestId) {
    action = h(
      'a',
      {href: `/requests/${encodeURIComponent(entry.requestId)}`},
      'View request',
    );
  }
  return h(
    'tr',
    {'data-role': entry.role},
    h('td', {'data-label': 'Select'}, select),
    h(
      'td',
      {'data-label': 'Role'},
      h('code', {class: 'role'}, entry.role),
      entry.resourceCondition
        ? h(
            'div',
            {class: 'condition', title: 'Resource condition'},
            entry.resourceCondition,
          )
        : null,
    ),
    h('td', {'data-label': 'Type'}, TYPE_LABEL[entry.activationType]),
    h(
      'td',
      {'data-label': 'Status'},
      h(
        'span',
        {class: `badge status-${entry.status.toLowerCase()}`},
        STATUS_LABEL[entry.status],
      ),
    ),
    h(
      'td',
      {'data-label': 'Time left'},
      entry.status === 'ACTIVE' && entry.validUntil
        ? [
            countdown(entry.validUntil),
            ' ',
            h(
              'span',
              {class: 'muted'},
              '(until ',
              timeElement(entry.validUntil),
              ')',
            ),
          ]
        : '',
    ),
    h('td', {'data-label': 'Actions'}, action),
  );
}

function activationForm(
  policy: Policy,
  project: string,
  selected: Map<string, Entitlement>,
  reload: () => Promise<void>,
): {element: HTMLElement; update(): void} {
  const justification = justificationField(policy);
  const duration = durationField(policy);
  const summary = h('p', {class: 'hint', id: 'activate-summary'});
  const submit = h(
    'button',
    {type: 'submit', id: 'activate-button'},
    'Activate',
  );
  const errors = h('div', {});
  const update = () => {
    const n = selected.size;
    submit.disabled = n === 0 || n > policy.maxRoles;
    submit.textContent = n > 1 ? `Activate ${n} roles` : 'Activate';
    summary.textContent =
      n === 0
        ? 'Select one or more self-approval roles above.'
        : n > policy.maxRoles
          ? `At most ${policy.maxRoles} roles at once.`
          : [...selected.values()].map(e => e.role).join(', ');
  };
  const form = h(
    'form',
    {
      class: 'panel',
      id: 'activate-form',
      novalidate: true,
      'aria-labelledby': 'activate-title',
    },
    h('h2', {id: 'activate-title'}, 'Activate for yourself'),
    summary,
    h('div', {class: 'row'}, justification.element, duration.element),
    h('div', {class: 'actions'}, submit),
    errors,
  );
  form.addEventListener('submit', event => {
    event.preventDefault();
    replace(errors);
    if (selected.size === 0 || selected.size > policy.maxRoles) return;
    if (justification.validate()) {
      justification.input.focus();
      return;
    }
    submit.disabled = true;
    const roles = [...selected.values()];
    api
      .selfActivate(project, {
        roles,
        justification: justification.input.value,
        durationMinutes: duration.value(),
      })
      .then(async result => {
        const first = result.activations[0];
        showSuccess(
          `Activated ${result.activations.map(a => a.role).join(', ')} on ${project}`,
          first ? [' until ', timeElement(first.end)] : '',
          '.',
        );
        await reload();
      })
      .catch(e => {
        replace(errors, inlineError(e));
        submit.disabled = false;
      });
  });
  update();
  return {element: form, update};
}

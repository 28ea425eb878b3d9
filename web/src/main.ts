/**
 * The UI's entry: loads the policy (which names the signed-in user), then
 * shows the view the URL asks for: `/requests/<id>`, or on `/` the tabs
 * `#roles[/<project>]`, `#mine`, `#waiting` and `#access`.
 */
import {api, Policy} from './api.js';
import {h, replace, startTicker} from './dom.js';
import {clearFlash, inlineError} from './flash.js';
import {showMyAccess} from './access-view.js';
import {showRequest} from './request-page.js';
import {showMyRequests, showWaiting} from './requests-view.js';
import {showRoles} from './roles-view.js';

type Tab = 'roles' | 'mine' | 'waiting' | 'access' | 'request';

const TITLES: Record<Tab, string> = {
  roles: 'Roles',
  mine: 'My requests',
  waiting: 'Waiting for me',
  access: 'My access',
  request: 'Access request',
};

function setWaitingCount(count: number): void {
  const badge = document.getElementById('waiting-count');
  if (!badge) return;
  badge.textContent = String(count);
  badge.hidden = count === 0;
  badge.setAttribute('aria-label', `${count} waiting`);
}

let viewer = '';

async function refreshWaitingCount(): Promise<void> {
  try {
    const {requests} = await api.requests('reviewer', 'PENDING');
    const now = Date.now();
    // Open for me: not expired, and not approved by me already (N of M).
    setWaitingCount(
      requests.filter(
        r =>
          Date.parse(r.expiresAt) > now &&
          !r.approvals.some(a => a.reviewer === viewer),
      ).length,
    );
  } catch {
    // The badge is a hint; the tab itself shows any error.
  }
}

function markTab(tab: Tab): void {
  document.querySelectorAll<HTMLElement>('[data-tab]').forEach(link => {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  document.title = `${TITLES[tab]} · JIT Access`;
}

function route(main: HTMLElement, policy: Policy): void {
  const requestMatch = /^\/requests\/([^/]+)\/?$/.exec(location.pathname);
  if (requestMatch) {
    markTab('request');
    let id = requestMatch[1]!;
    try {
      id = decodeURIComponent(id);
    } catch {
      // Leave it as sent; the API answers 404.
    }
    void showRequest(main, policy, id, () => void refreshWaitingCount());
    return;
  }
  const hash = location.hash.replace(/^#/, '');
  if (hash === 'mine') {
    markTab('mine');
    void showMyRequests(main, policy);
  } else if (hash === 'access') {
    markTab('access');
    void showMyAccess(main, policy.signedInUser.email);
  } else if (hash === 'waiting') {
    markTab('waiting');
    void showWaiting(main, policy, setWaitingCount);
  } else {
    markTab('roles');
    const project = /^roles\/(.+)$/.exec(hash)?.[1];
    let decoded: string | undefined;
    try {
      decoded = project === undefined ? undefined : decodeURIComponent(project);
    } catch {
      decoded = undefined;
    }
    void showRoles(main, policy, decoded);
  }
}

async function start(): Promise<void> {
  const main = document.getElementById('main')!;
  let policy: Policy;
  try {
    policy = await api.policy();
  } catch (e) {
    replace(main, h('h1', {}, 'JIT Access'), inlineError(e));
    return;
  }
  viewer = policy.signedInUser.email;
  const user = document.getElementById('user')!;
  user.textContent = policy.signedInUser.email;
  user.title = `Signed in as ${policy.signedInUser.email}`;
  window.addEventListener('hashchange', () => {
    clearFlash();
    route(main, policy);
    main.focus();
  });
  route(main, policy);
  // Countdowns tick; when one runs out the view reloads to show the truth.
  startTicker(() => route(main, policy));
  void refreshWaitingCount();
}

void start();

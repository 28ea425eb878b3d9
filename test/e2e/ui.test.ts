/**
 * The product in a real browser against the sandbox of `npm start`: the
 * functions run unchanged in a child process behind the IAP stand-in, over
 * the fake Google Cloud, the Firestore emulator and the SMTP sink.
 */
import type {Browser, BrowserContext, Page} from 'playwright-core';
import {launchChromium} from '../../sandbox/chromium';
import type {Sandbox} from '../../sandbox/sandbox';
import {startTestSandbox, type TestSandbox} from '../support/sandbox';
import {describeIf} from '../support/skip';
import {
  browserUnavailable,
  PageWatch,
  screenshot,
  signedInPage,
} from './browser';

const unavailable = browserUnavailable();
const XSS = '<img src=x onerror=alert(1)>';

jest.setTimeout(90_000);

describeIf(!unavailable, unavailable ?? '')('UI in the sandbox', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  const seen: PageWatch = {consoleErrors: [], dialogs: []};
  const contexts: BrowserContext[] = [];
  let started: TestSandbox | undefined;

  beforeAll(async () => {
    started = await startTestSandbox('e2e', {
      JUSTIFICATION_PATTERN: '[^#]+',
      JUSTIFICATION_HINT: 'Ticket or reason, without #',
    });
    sandbox = started.sandbox;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await sandbox?.stop();
  });

  afterEach(() => started?.printIfFailed());

  async function as(
    email: string,
    viewport?: {width: number; height: number},
  ): Promise<Page> {
    const {context, page} = await signedInPage(
      browser,
      sandbox.url,
      email,
      seen,
      viewport,
    );
    contexts.push(context);
    return page;
  }

  async function openProject(page: Page, project: string): Promise<void> {
    const picker = page.getByLabel('Project');
    await picker.fill(project);
    await picker.press('Enter');
    await page
      .getByRole('table')
      .getByText(`Your roles on ${project}`)
      .waitFor();
  }

  function roleRow(page: Page, role: string) {
    return page.locator(`tr[data-role="${role}"]`);
  }

  async function requestRole(
    page: Page,
    project: string,
    role: string,
    justification: string,
    reviewers: string[],
  ): Promise<string> {
    await openProject(page, project);
    await roleRow(page, role)
      .getByRole('button', {name: 'Request approval'})
      .click();
    const form = page.locator('#request-form');
    await form.getByLabel('Justification').fill(justification);
    for (const r of reviewers) await form.getByLabel(r).check();
    await form.getByRole('button', {name: 'Send request'}).click();
    const link = page
      .locator('#flash')
      .getByRole('link', {name: 'View the request'});
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    return decodeURIComponent(href.replace('/requests/', ''));
  }

  it('signs in through the IAP stand-in and shows the signed-in user', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sandbox/login');
    for (const u of sandbox.users) {
      await page.getByRole('link', {name: u.email, exact: true}).waitFor();
    }
    await screenshot(page, 'sign-in');
    await page
      .getByRole('link', {name: 'alice@example.com', exact: true})
      .click();
    await page.waitForURL(`${sandbox.url}/`);
    await expect(page.locator('#user').textContent()).resolves.toBe(
      'alice@example.com',
    );
  });

  it('self-activates a role, shows it active, and the project policy holds the binding', async () => {
    const page = await as('alice@example.com');
    await openProject(page, 'shop-dev');
    const row = roleRow(page, 'roles/compute.viewer');
    await expect(row.textContent()).resolves.toMatch(/Self-approval.*Eligible/);
    await screenshot(page, 'roles');
    await row.getByRole('checkbox').check();
    await page.getByLabel('Justification').fill('b/1234 disk full');
    await page.getByRole('button', {name: 'Activate'}).click();
    await row.getByText('Active', {exact: true}).waitFor();
    await expect(row.textContent()).resolves.toMatch(/\d+ (h|min).* left/);
    await expect(page.locator('#flash').textContent()).resolves.toMatch(
      /Activated roles\/compute.viewer on shop-dev/,
    );
    await screenshot(page, 'roles-active');

    const policy = sandbox.fake.world.policies?.['projects/shop-dev'];
    const binding = policy?.bindings?.find(
      b =>
        b.role === 'roles/compute.viewer' &&
        b.condition?.title === 'JIT access activation',
    );
    expect(binding?.members).toEqual(['user:alice@example.com']);
    expect(binding?.condition?.description).toBe(
      'Self-approved, justification: b/1234 disk full',
    );
  });

  it('checks the justification against the pattern before sending anything', async () => {
    const page = await as('alice@example.com');
    await openProject(page, 'shop-dev');
    let posts = 0;
    page.on('request', r => {
      if (r.method() === 'POST') posts += 1;
    });
    await roleRow(page, 'roles/compute.viewer').getByRole('checkbox').check();
    await page.getByLabel('Justification').fill('#42');
    await page.getByRole('button', {name: 'Activate'}).click();
    await page
      .getByText(
        'The justification does not match the required format (Ticket or reason, without #)',
      )
      .waitFor();
    await expect(
      page.getByLabel('Justification').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    expect(posts).toBe(0);
  });

  it('has a reviewer approve a request from the link in the mail, and the requester sees the role active', async () => {
    const alice = await as('alice@example.com');
    const id = await requestRole(
      alice,
      'shop-prod',
      'roles/compute.admin',
      'INC-7 restart the fleet',
      ['bob@example.com'],
    );
    await screenshot(alice, 'request-sent');

    const bob = await as('bob@example.com');
    await bob.goto(`${sandbox.url}/sandbox/mail`);
    const mailLink = bob
      .locator(`a.mail-link[href$="/requests/${encodeURIComponent(id)}"]`)
      .first();
    await mailLink.waitFor();
    await screenshot(bob, 'mail');
    // PUBLIC_BASE_URL is the sandbox's own URL, so the link opens here.
    await mailLink.click();
    await bob.waitForURL(`${sandbox.url}/requests/${encodeURIComponent(id)}`);
    await bob.getByText('alice@example.com', {exact: true}).first().waitFor();
    await expect(bob.locator('main').textContent()).resolves.toMatch(
      /asks for\s*roles\/compute.admin\s*on\s*shop-prod/,
    );
    await expect(bob.locator('main').textContent()).resolves.toContain(
      'INC-7 restart the fleet',
    );
    await screenshot(bob, 'request-page-reviewer');
    await bob.getByRole('button', {name: 'Approve', exact: true}).click();
    await bob.locator('main [data-state="ACTIVE"]').waitFor();

    await alice.goto(`${sandbox.url}/#mine`);
    await alice
      .locator(`[data-request-id="${id}"] [data-state="ACTIVE"]`)
      .waitFor();
    await screenshot(alice, 'my-requests');
    await alice.goto(`${sandbox.url}/#roles/shop-prod`);
    await roleRow(alice, 'roles/compute.admin')
      .getByText('Active', {exact: true})
      .waitFor();
  });

  it('shows the requester the reason a reviewer gave for denying', async () => {
    const dave = await as('dave@example.com');
    const id = await requestRole(
      dave,
      'billing-prod',
      'roles/bigquery.admin',
      'FIN-9 fix the export',
      ['erin@example.com'],
    );

    const erin = await as('erin@example.com');
    await erin.goto(`${sandbox.url}/#waiting`);
    const card = erin.locator(`[data-request-id="${id}"]`);
    await card.waitFor();
    await screenshot(erin, 'waiting-for-me');
    await card.getByRole('button', {name: 'Deny…'}).click();
    await card
      .getByLabel('Reason for denying')
      .fill('Use roles/bigquery.dataViewer instead');
    await card.getByRole('button', {name: 'Deny request'}).click();
    await erin
      .locator('#flash')
      .getByText(/Denied roles\/bigquery.admin/)
      .waitFor();

    await dave.goto(`${sandbox.url}/#mine`);
    const mine = dave.locator(`[data-request-id="${id}"]`);
    await mine.locator('[data-state="DENIED"]').waitFor();
    await expect(mine.textContent()).resolves.toContain(
      'Use roles/bigquery.dataViewer instead',
    );
  });

  it('renders a justification with markup as text, and no dialog fires', async () => {
    const alice = await as('alice@example.com');
    const id = await requestRole(
      alice,
      'billing-prod',
      'roles/compute.admin',
      XSS,
      ['carol@example.com'],
    );
    await alice.goto(`${sandbox.url}/#mine`);
    const mine = alice.locator(`[data-request-id="${id}"] .justification`);
    await expect(mine.textContent()).resolves.toBe(XSS);

    const carol = await as('carol@example.com');
    await carol.goto(`${sandbox.url}/requests/${encodeURIComponent(id)}`);
    await expect(
      carol.locator('main .justification').textContent(),
    ).resolves.toBe(XSS);
    await carol.goto(`${sandbox.url}/sandbox/mail`);
    for (const page of [alice, carol]) {
      expect(await page.locator('img').count()).toBe(0);
    }
    expect(seen.dialogs).toEqual([]);
  });

  it('self-activates with the keyboard alone', async () => {
    const page = await as('dave@example.com');
    const focusedRole = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-role'));
    const focusedName = () =>
      page.evaluate(() => document.activeElement?.getAttribute('name'));
    // The picker is disabled until the project list has loaded.
    const picker = page.getByLabel('Project');
    await picker.and(page.locator(':enabled')).waitFor();
    await picker.focus();
    await page.keyboard.type('billing');
    await page.keyboard.press('Enter');
    await page.getByText('Your roles on billing-prod').waitFor();
    for (
      let i = 0;
      i < 10 && (await focusedRole()) !== 'roles/bigquery.dataViewer';
      i++
    ) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Space');
    for (let i = 0; i < 10 && (await focusedName()) !== 'justification'; i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type('FIN-12 monthly report');
    await page.keyboard.press('Enter');
    await roleRow(page, 'roles/bigquery.dataViewer')
      .getByText('Active', {exact: true})
      .waitFor();
  });

  it("shows the API's own message when a call fails", async () => {
    const page = await as('frank@example.com');
    await page.goto(`${sandbox.url}/requests/no-such-request`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const expected = await page.evaluate(async () => {
      const res = await fetch('/api/requests/no-such-request');
      return ((await res.json()) as {error: {message: string}}).error.message;
    });
    expect(expected).toBeTruthy();
    await expect(alert.textContent()).resolves.toBe(expected);
  });

  /** Whether the fake's policy of `project` holds an activation of `role` for `user`. */
  function activated(project: string, role: string, user: string): boolean {
    return (
      sandbox.fake.world.policies?.[`projects/${project}`]?.bindings ?? []
    ).some(
      b =>
        b.role === role &&
        b.members.includes(`user:${user}`) &&
        b.condition?.title === 'JIT access activation',
    );
  }

  async function selfActivate(page: Page, project: string, role: string) {
    await openProject(page, project);
    const row = roleRow(page, role);
    await row.getByRole('checkbox').check();
    await page.getByLabel('Justification').fill('b/77 investigating');
    await page.getByRole('button', {name: 'Activate'}).click();
    await row.getByText('Active', {exact: true}).waitFor();
  }

  it('lists a self-activation under My access, and End now removes its binding', async () => {
    const page = await as('alice@example.com');
    await selfActivate(page, 'shop-prod', 'roles/compute.viewer');
    expect(
      activated('shop-prod', 'roles/compute.viewer', 'alice@example.com'),
    ).toBe(true);
    await page.getByRole('link', {name: 'My access'}).click();
    const active = page.locator('section[aria-labelledby="active-grants"]');
    const card = active
      .locator('li.card')
      .filter({hasText: 'roles/compute.viewer on shop-prod'});
    // Three listings load the page: generous when other suites share the machine.
    await card.getByText('Active', {exact: true}).waitFor({timeout: 30_000});
    await screenshot(page, 'my-access');
    await card.getByRole('button', {name: 'End now'}).click();
    await expect(
      page
        .locator('#flash')
        .getByText(/Ended roles\/compute.viewer on shop-prod/)
        .textContent(),
    ).resolves.toMatch(/typically 2, up to 7/);
    expect(
      activated('shop-prod', 'roles/compute.viewer', 'alice@example.com'),
    ).toBe(false);
    // The history shows it ended early.
    await page
      .locator('section[aria-labelledby="history"] li.card')
      .filter({hasText: 'roles/compute.viewer on shop-prod'})
      .getByText('Ended early', {exact: true})
      .first()
      .waitFor();
  });

  it('shows an auditor every grant, and reconciliation flags a binding removed in the fake', async () => {
    const alice = await as('alice@example.com');
    await selfActivate(alice, 'shop-dev', 'roles/compute.viewer');
    // Someone removes the binding outside the product (the sandbox's IAM page).
    const grace = await as('grace@example.com');
    await grace.goto(`${sandbox.url}/sandbox/iam`);
    await grace
      .locator('tr')
      .filter({hasText: 'projects/shop-dev'})
      .filter({hasText: 'roles/compute.viewer'})
      .filter({hasText: 'user:alice@example.com'})
      .getByRole('button', {name: 'Remove outside JIT Access'})
      .click();
    await grace.waitForURL(`${sandbox.url}/sandbox/iam`);
    expect(
      activated('shop-dev', 'roles/compute.viewer', 'alice@example.com'),
    ).toBe(false);
    await grace.goto(`${sandbox.url}/#access`);
    const all = grace.locator('section[aria-labelledby="all-grants"]');
    await all.getByRole('heading', {name: 'All grants (auditor)'}).waitFor();
    await all.getByRole('button', {name: 'Run reconciliation'}).click();
    await expect(
      all.locator('[data-reconcile="done"]').textContent(),
    ).resolves.toMatch(/[1-9]\d* changed outside/);
    const card = all
      .locator('li.card')
      .filter({hasText: 'alice@example.com'})
      .filter({hasText: 'roles/compute.viewer on shop-dev'})
      .first();
    await card.locator('[data-drift="true"]').waitFor();
    await screenshot(grace, 'auditor-view');
    // Alice, no auditor, is not offered the auditor's view.
    await alice.goto(`${sandbox.url}/#access`);
    await alice.locator('section[aria-labelledby="history"]').waitFor();
    await expect(
      alice.locator('section[aria-labelledby="all-grants"]').count(),
    ).resolves.toBe(0);
  });

  it('works at phone width without horizontal scrolling', async () => {
    const page = await as('alice@example.com', {width: 390, height: 844});
    await openProject(page, 'shop-dev');
    const overflow = await page.evaluate(
      () =>
        document.documentElement.scrollWidth -
        document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'roles-phone');
  });

  it('logged no console error and opened no dialog in any page', () => {
    // The one 404 the error test asked for is Chromium's resource log line.
    const unexpected = seen.consoleErrors.filter(
      e =>
        !/\/requests\/no-such-request: Failed to load resource: .* 404/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});

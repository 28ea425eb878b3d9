/**
 * Browser support for the end-to-end tests: Debian's Chromium driven by
 * playwright-core (never a browser download), a console and dialog watch,
 * and screenshots under test-results/screenshots/.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {Browser, BrowserContext, Page} from 'playwright-core';
import {chromiumUnavailable} from '../../sandbox/chromium';

const ROOT = path.join(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const BUILT_FUNCTIONS = path.join(ROOT, 'build', 'functions', 'index.js');

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  const noBrowser = chromiumUnavailable();
  if (noBrowser) return noBrowser;
  if (!fs.existsSync(BUILT_FUNCTIONS)) {
    return 'the functions are not built (npm run build)';
  }
  return undefined;
}

/** What a page did that a user should never see. */
export interface PageWatch {
  consoleErrors: string[];
  dialogs: string[];
}

/** Records console errors, uncaught exceptions and dialogs (dismissing them). */
export function watch(page: Page, into: PageWatch): void {
  page.on('console', message => {
    if (message.type() === 'error') {
      into.consoleErrors.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', error => {
    into.consoleErrors.push(`${page.url()}: uncaught ${error.message}`);
  });
  page.on('dialog', dialog => {
    into.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

/** A browser context signed in as `email` through the stand-in's page. */
export async function signedInPage(
  browser: Browser,
  base: string,
  email: string,
  into: PageWatch,
  viewport = {width: 1280, height: 900},
): Promise<{context: BrowserContext; page: Page}> {
  const context = await browser.newContext({viewport});
  // The sandbox is local, but the suites that start sandboxes (the UI, the
  // command line) run beside each other on a busy machine.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  watch(page, into);
  await page.goto(`${base}/sandbox/login`);
  await page.getByRole('link', {name: email, exact: true}).click();
  await page.waitForURL(`${base}/`);
  await page.locator('#user').filter({hasText: email}).waitFor();
  return {context, page};
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, {recursive: true});
  await page.screenshot({
    path: path.join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: true,
  });
}

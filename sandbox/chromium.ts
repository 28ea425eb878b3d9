/**
 * Debian's Chromium, driven by playwright-core (never a browser download):
 * one place for the browser's path and flags, shared by the UI tests and the
 * benchmark.
 */
import * as fs from 'fs';
import type {Browser} from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless run on a machine with no GPU and no network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why Chromium cannot be launched here, or undefined when it can. */
export function chromiumUnavailable(): string | undefined {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return undefined;
  } catch {
    return `no browser at ${CHROMIUM_PATH} (apt-get install chromium)`;
  }
}

/**
 * Launches it headless with a fresh temporary profile. playwright-core is a
 * development dependency, so it is loaded here, not at import time.
 */
export function launchChromium(): Promise<Browser> {
  const {chromium} =
    require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

import { existsSync } from 'node:fs';

/** Debian's chromium; tests drive it with playwright-core (no browser download). */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether a real browser is there; under CI=true a missing one is a failure, not a skip. */
export function browserAvailable(): boolean {
  if (CHROMIUM) return true;
  if (process.env.CI === 'true') throw new Error('CI: chromium is missing (apt-get install chromium)');
  console.log('skipping: chromium is not installed (apt-get install chromium)');
  return false;
}

import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless. As root it needs --no-sandbox; offline it needs its background services off, or its
 * connection attempts fail by the dozen (component updates, sync, QUIC probing).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}

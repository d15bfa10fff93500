import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './chromium.js';
import { PageSet } from './web-pages.js';
import { type RunningHeimdall, requireBuiltWebApp, startHeimdall } from './web-servers.js';

export interface ChromiumSuite {
  /** The file's pages: each test opens its own, all closed after it. */
  readonly pages: PageSet;
  /** Starts a Heimdall for this test, stopped after it. */
  start(...args: Parameters<typeof startHeimdall>): Promise<RunningHeimdall>;
}

/**
 * The hooks of a Chromium test file that runs one Heimdall per test: one browser for the file (the web app must be
 * built), its pages closed and the test's Heimdall stopped after each test.
 */
export function chromiumSuite(): ChromiumSuite {
  let pages: PageSet | undefined;
  let server: RunningHeimdall | undefined;
  beforeAll(async () => {
    requireBuiltWebApp();
    pages = new PageSet(await launchChromium());
  });
  afterEach(async () => {
    await pages?.closeAll();
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await pages?.browser.close();
  });
  return {
    get pages() {
      if (!pages) throw new Error('chromiumSuite(): pages are only there inside a test');
      return pages;
    },
    async start(...args) {
      server = await startHeimdall(...args);
      return server;
    },
  };
}

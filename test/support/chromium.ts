import { chromium, Browser } from 'playwright-core';

/** Debian's chromium package (installed by test/setup/global-setup.ts when missing). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless Chromium, with nothing running in the background that would reach for the network; `extraArgs` for one test's needs. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

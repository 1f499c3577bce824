import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './redis';

/**
 * Debian's chromium, headless, for the page tests. The flags keep it off
 * the network this machine does not have (background updates, sync) and
 * out of a sandbox root cannot use; scripts/setup.sh installs it.
 * `extraArgs` adds flags a test needs, such as a fake microphone.
 */
export async function launchChromium(
  viewport = { width: 1360, height: 1000 },
  extraArgs: string[] = [],
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(await tempDir('chromium'), {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    viewport,
    args: [
      '--headless',
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

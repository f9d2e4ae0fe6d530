/**
 * The system's Chromium for the browser tests (playwright-core never downloads a browser). Without one, the
 * browser tests are skipped with the command that installs it, except under CI (env CI set), where they fail.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';

export const INSTALL_HINT = 'install Chromium: apt-get install -y chromium';

/** The Chromium executable: $CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on the PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of [...dirs, '/usr/bin']) {
      const p = join(dir, name);
      if (executable(p)) return p;
    }
  }
  return null;
}

export const CHROMIUM = findChromium();
/** Skip the browser tests: no Chromium here and not under CI (CI must run them, so there they fail instead). */
export const SKIP_BROWSER = CHROMIUM === null && !process.env.CI;
/** A suite title that says why it was skipped. */
export const browserSuite = (title: string): string => (SKIP_BROWSER ? `${title} — skipped: ${INSTALL_HINT}` : title);

if (SKIP_BROWSER) console.warn(`browser tests skipped: ${INSTALL_HINT}`);

/** Launches the system Chromium headless (no sandbox: the tests run as root in CI). */
export async function launchChromium(): Promise<Browser> {
  if (CHROMIUM === null) throw new Error(`no Chromium found: ${INSTALL_HINT}`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

import { resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { onTestFailed } from "vitest";
import { repoRoot } from "../../../scripts/lib/paths.ts";

/** Debian's Chromium, headless, with nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Where e2e tests save screenshots (git-ignored). */
export const screenshots = resolve(repoRoot, "artifacts/screenshots");

/**
 * Opens pages, each in a fresh browser profile, optionally signed in through the local
 * sign-in; a failing test saves its page's screenshot. `closeAll` closes every profile.
 */
export function pageOpener(browser: () => Browser) {
  const contexts: BrowserContext[] = [];
  return {
    async openPage(options: { signedInAs?: string; width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
      const context = await browser().newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
      contexts.push(context);
      if (options.signedInAs) {
        await context.addInitScript((id) => localStorage.setItem("clerk-supabase-sync.local-user", id), options.signedInAs);
      }
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      onTestFailed(async ({ task }) => {
        const file = `failed-${task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`;
        await page.screenshot({ path: resolve(screenshots, file), fullPage: true }).catch(() => {});
      });
      return { page, errors };
    },
    async closeAll(): Promise<void> {
      for (const context of contexts) await context.close().catch(() => {});
    },
  };
}

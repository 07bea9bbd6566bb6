/**
 * Real Chromium for the UI tests, driven by playwright-core against the system's browser
 * (Debian's `chromium`, installed by scripts/setup.sh); never a browser download.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoRoot } from "./paths.js";

export const screenshotDir = path.join(repoRoot, ".test-results", "ui");

export function chromiumPath(): string {
  const candidates = [process.env.DAGTEST_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found)
    throw new Error(
      "no Chromium: run `bash scripts/setup.sh` (it installs Debian's chromium) or set DAGTEST_CHROMIUM",
    );
  return found;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-gpu"] });
}

/** A page that fails the test on any script error, at a laptop's size. */
export async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return page;
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Every node's state as drawn: name → data-state. */
export async function drawnStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval("[data-node]", (els) =>
    Object.fromEntries(
      els.map((e) => [e.getAttribute("data-node") ?? "", e.getAttribute("data-state") ?? ""]),
    ),
  );
}

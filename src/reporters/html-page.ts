/**
 * The one HTML page of the UI: the built client (dist/ui/app.js and app.css, made by
 * scripts/build-ui.mjs) inlined, and for report.html the run's data inlined too, so the page
 * needs no server and no network.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DagtestError } from "../errors.js";
import type { ReportData } from "../model/view.js";

interface Bundle {
  readonly script: string;
  readonly style: string;
}

let bundle: Bundle | null = null;

/** dist/ui of this package, from src/ (tests) or dist/ (the built CLI). */
function bundleDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, "dist", "ui");
}

function loadBundle(): Bundle {
  if (bundle) return bundle;
  const dir = bundleDir();
  try {
    bundle = {
      script: readFileSync(path.join(dir, "app.js"), "utf8"),
      style: readFileSync(path.join(dir, "app.css"), "utf8"),
    };
    return bundle;
  } catch {
    throw new DagtestError({
      code: "DAGTEST_INTERNAL",
      message: `The UI bundle is missing from ${dir}.`,
      hint: "Build it with `npm run build` (scripts/setup.sh does).",
    });
  }
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeText(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page: with `data`, a self-contained report; without, the live UI that calls the API. */
export function renderPage(title: string, data: ReportData | null): string {
  const { script, style } = loadBundle();
  const embedded = data
    ? `<script type="application/json" id="dagtest-data">${scriptJson(data)}</script>`
    : "";
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // A report can load nothing from anywhere: its script and styles are inline.
    data
      ? `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`
      : "",
    `<title>${escapeText(title)}</title>`,
    `<style>${style}</style></head><body>`,
    embedded,
    `<script>${script.replace(/<\/script/gi, "<\\/script")}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

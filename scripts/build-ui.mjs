// Builds the browser UI (ui/src) into dist/ui/app.js and dist/ui/app.css: one minified script
// and one stylesheet, inlined into every page the server sends and into every report.html.
import { build } from "esbuild";

await build({
  entryPoints: { app: "ui/src/main.ts" },
  outdir: "dist/ui",
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  legalComments: "none",
  logLevel: "warning",
});
await build({
  entryPoints: { app: "ui/src/style.css" },
  outdir: "dist/ui",
  bundle: true,
  minify: true,
  logLevel: "warning",
});

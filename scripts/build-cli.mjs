// Bundles the `dagtest` command (src/cli/main.ts) into dist/cli/main.js and its chunks: one
// module graph of a few files instead of ~130 modules and their package lookups, so a command
// starts faster (README: performance). Each command stays a chunk of its own, loaded on demand.
// The library (dist/index.js and its types) is tsc's output and is not touched.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const outdir = "dist/cli";
// The previous build's chunks, and tsc's map of the main.js this bundle replaces.
for (const name of readdirSync(outdir)) {
  if (/^chunk-.*\.js$/.test(name) || name === "main.js.map") rmSync(path.join(outdir, name));
}
await build({
  entryPoints: { main: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunk-[hash]",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies call require() on Node built-ins: give the ESM bundle a real one.
  banner: {
    js: "import { createRequire as __dagtestRequire } from 'node:module'; const require = __dagtestRequire(import.meta.url);",
  },
});

// Bundles the `dagtest` command into dist/cli (README: performance):
// - main.js and its chunks (ESM, split by command): the entry. It answers --help and --version
//   alone, and is the fallback when program.cjs is missing.
// - program.cjs: the program (src/cli/program.ts) as one CommonJS file, which main.js compiles
//   with V8's code cache (src/cli/code-cache.ts). Its first line holds the build id (a hash of
//   its code: the same sources keep their code cache), which main.js also holds: a main.js never
//   runs another build's program.
// - lib/yaml.cjs, lib/zod.cjs: the YAML parser and the schema library, which program.cjs
//   requires only when a text was not parsed or validated before (src/config/lazy.ts).
// The library (dist/index.js and its types) is tsc's output and is not touched.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const outdir = "dist/cli";
// The previous build's chunks, and tsc's map of the main.js this bundle replaces.
for (const name of readdirSync(outdir)) {
  if (/^chunk-.*\.js$/.test(name) || name === "main.js.map") rmSync(path.join(outdir, name));
}
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
};

/** `yaml` and `zod` stay out of program.cjs: required from lib/ when needed. */
const lazyLibraries = {
  name: "lazy-libraries",
  setup(b) {
    b.onResolve({ filter: /^(yaml|zod)$/ }, (args) => ({ path: `./lib/${args.path}.cjs`, external: true }));
  },
};

const program = await build({
  ...common,
  entryPoints: ["src/cli/program.ts"],
  outfile: `${outdir}/program.cjs`,
  write: false,
  format: "cjs",
  plugins: [lazyLibraries],
  // A dynamic import of yaml becomes a require of lib/yaml.cjs, loaded when it runs.
  supported: { "dynamic-import": false },
  define: { "import.meta.url": "__dagtestImportMetaUrl" },
  banner: { js: `const __dagtestImportMetaUrl = require("node:url").pathToFileURL(__filename).href;` },
});
const code = program.outputFiles[0].text;
const id = createHash("sha256").update(code).digest("hex").slice(0, 16);
mkdirSync(outdir, { recursive: true });
writeFileSync(`${outdir}/program.cjs`, `/*dagtest-bundle:${id}*/${code}`);

await Promise.all([
  build({
    ...common,
    entryPoints: { main: "src/cli/main.ts" },
    outdir,
    splitting: true,
    format: "esm",
    chunkNames: "chunk-[hash]",
    define: { __DAGTEST_BUNDLE_ID__: JSON.stringify(id) },
    // CommonJS dependencies call require() on Node built-ins: give the ESM bundle a real one.
    banner: {
      js: "import { createRequire as __dagtestRequire } from 'node:module'; const require = __dagtestRequire(import.meta.url);",
    },
  }),
  ...["yaml", "zod"].map((name) =>
    build({
      ...common,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: "." },
      outfile: `${outdir}/lib/${name}.cjs`,
      format: "cjs",
    }),
  ),
]);

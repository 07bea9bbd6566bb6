/**
 * The YAML parser and the schema library stay off an unchanged rerun's start-up: the first
 * `dagtest plan` of a dagtest.yaml parses and validates it (loading yaml and zod); the next one,
 * on the same text, reads both back from the parse cache and loads neither. An edit is parsed
 * and validated again, and a mistake is still reported with its line after a valid version of
 * the file was cached (the line comes from the YAML parser, loaded for the error).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, tempDir } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

/**
 * Hooks that list every module the CLI loads, one URL a line: the ESM loader's (`--import`) and
 * CommonJS `require`'s (`--require`), as the built program is CommonJS (src/cli/code-cache.ts).
 */
function moduleLog(): { hook: string; requireHook: string; log: string } {
  const dir = tempDir();
  const log = path.join(dir, "modules.txt");
  const hooks = path.join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, resolved.url + "\\n");
  return resolved;
}
`,
  );
  const hook = path.join(dir, "register.mjs");
  writeFileSync(
    hook,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const requireHook = path.join(dir, "require-hook.cjs");
  writeFileSync(
    requireHook,
    `const { appendFileSync } = require("node:fs");
const Module = require("node:module");
const { pathToFileURL } = require("node:url");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolve.apply(this, args);
  if (file.startsWith("/")) appendFileSync(${JSON.stringify(log)}, pathToFileURL(file).href + "\\n");
  return file;
};
`,
  );
  return { hook, requireHook, log };
}

interface Loaded {
  readonly status: number | null;
  readonly zod: boolean;
  readonly yaml: boolean;
  readonly stderr: string;
}

function planLoads(cwd: string): Loaded {
  const { hook, requireHook, log } = moduleLog();
  writeFileSync(log, "");
  const r = spawnSync(process.execPath, ["--require", requireHook, "--import", hook, cliPath, "plan"], {
    cwd,
    env: cliEnv(),
    encoding: "utf8",
    timeout: 60_000,
  });
  // The CLI is one bundle: a library shows as the chunk it was bundled into, so look for the
  // library by its code's marks in the chunks loaded, as well as by its own module URL.
  const urls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  const code = urls
    .filter((url) => url.startsWith("file:"))
    .map((url) => readFileSync(new URL(url), "utf8"))
    .join("\n");
  return {
    status: r.status,
    zod: urls.some((u) => u.includes("/node_modules/zod/")) || code.includes("node_modules/zod/"),
    yaml: urls.some((u) => u.includes("/node_modules/yaml/")) || code.includes("node_modules/yaml/"),
    stderr: r.stderr,
  };
}

describe("the dagtest.yaml schema, loaded only when a spec must be validated", () => {
  it("validates a new text, then plans the same text without zod; an edit is validated again", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    const first = planLoads(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.zod).toBe(true);
    expect(first.yaml).toBe(true);

    const again = planLoads(dir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.zod).toBe(false);
    expect(again.yaml).toBe(false);

    const spec = path.join(dir, "dagtest.yaml");
    writeFileSync(spec, `${readFileSync(spec, "utf8")}# a comment changes the text\n`);
    const edited = planLoads(dir);
    expect(edited.status, edited.stderr).toBe(0);
    expect(edited.zod).toBe(true);
    expect(edited.yaml).toBe(true);
  });

  it("still reports a mistake, with its line, after a valid version of the file was cached", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    expect(planLoads(dir).status).toBe(0);
    const spec = path.join(dir, "dagtest.yaml");
    writeFileSync(spec, `${readFileSync(spec, "utf8")}colour: blue\n`);
    const line = readFileSync(spec, "utf8").split("\n").indexOf("colour: blue") + 1;
    const broken = planLoads(dir);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain("DAGTEST_SPEC_INVALID");
    expect(broken.stderr).toContain(`dagtest.yaml:${line}`);
    expect(broken.stderr).toContain('unknown field(s) "colour"');
  });
});

/**
 * The schema library stays off an unchanged rerun's start-up: the first `dagtest plan` of a
 * dagtest.yaml validates it (and loads zod); the next one, on the same text, reads the validated
 * spec back from the parse cache and never loads zod. An edit is validated again, and a mistake
 * is still reported with its line after a valid version was cached.
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

/** A loader hook that lists every module the CLI loads, one URL a line. */
function moduleLog(): { hook: string; log: string } {
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
  return { hook, log };
}

function planLoadsZod(cwd: string): { status: number | null; zod: boolean; stderr: string } {
  const { hook, log } = moduleLog();
  writeFileSync(log, "");
  const r = spawnSync(process.execPath, ["--import", hook, cliPath, "plan"], {
    cwd,
    env: cliEnv(),
    encoding: "utf8",
    timeout: 60_000,
  });
  const zod = readFileSync(log, "utf8")
    .split("\n")
    .some((url) => url.includes("/node_modules/zod/"));
  return { status: r.status, zod, stderr: r.stderr };
}

describe("the dagtest.yaml schema, loaded only when a spec must be validated", () => {
  it("validates a new text, then plans the same text without zod; an edit is validated again", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    const first = planLoadsZod(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.zod).toBe(true);

    const again = planLoadsZod(dir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.zod).toBe(false);

    const spec = path.join(dir, "dagtest.yaml");
    writeFileSync(spec, `${readFileSync(spec, "utf8")}# a comment changes the text\n`);
    const edited = planLoadsZod(dir);
    expect(edited.status, edited.stderr).toBe(0);
    expect(edited.zod).toBe(true);
  });

  it("still reports a mistake, with its line, after a valid version of the file was cached", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    expect(planLoadsZod(dir).status).toBe(0);
    const spec = path.join(dir, "dagtest.yaml");
    writeFileSync(spec, `${readFileSync(spec, "utf8")}colour: blue\n`);
    const line = readFileSync(spec, "utf8").split("\n").indexOf("colour: blue") + 1;
    const broken = planLoadsZod(dir);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain("DAGTEST_SPEC_INVALID");
    expect(broken.stderr).toContain(`dagtest.yaml:${line}`);
    expect(broken.stderr).toContain('unknown field(s) "colour"');
  });
});

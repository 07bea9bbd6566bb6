/**
 * The static check remembered for every command that plans: a second `dagtest plan` of an
 * unchanged project starts no Python at all (the check comes from .dagtest/cache), an edited
 * script is checked again, and the factory reuses it too. The interpreter is a wrapper that
 * logs each start.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { createTestingFactory } from "../../src/factory/create.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, tempDir, testPython } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

/** A project whose interpreter logs every start to the returned file. */
function loggedProject(): { dir: string; log: string; python: string } {
  const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
  const log = path.join(tempDir(), "starts.log");
  writeFileSync(log, "");
  const python = path.join(tempDir(), "python");
  writeFileSync(python, `#!/bin/sh\necho "start $*" >> '${log}'\nexec '${testPython()}' "$@"\n`);
  chmodSync(python, 0o755);
  const spec = path.join(dir, "dagtest.yaml");
  writeFileSync(spec, stringify({ ...(parse(readFileSync(spec, "utf8")) as object), python }));
  return { dir, log, python };
}

const starts = (log: string) => readFileSync(log, "utf8").split("\n").filter(Boolean).length;

function plan(cwd: string): void {
  const r = spawnSync(process.execPath, [cliPath, "plan"], { cwd, env: cliEnv(), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

describe("the remembered static check", () => {
  it("lets an unchanged `dagtest plan` start no Python; an edit is checked again", () => {
    const { dir, log } = loggedProject();
    plan(dir);
    const first = starts(log);
    expect(first).toBeGreaterThan(0);
    plan(dir);
    expect(starts(log)).toBe(first);
    appendFileSync(path.join(dir, "scripts/only.py"), "# edited\n");
    plan(dir);
    expect(starts(log)).toBeGreaterThan(first);
  });

  it("is reused by the factory", async () => {
    const { dir, log, python } = loggedProject();
    await createTestingFactory({ project: dir, python });
    const first = starts(log);
    expect(first).toBeGreaterThan(0);
    await createTestingFactory({ project: dir, python });
    expect(starts(log)).toBe(first);
  });
});

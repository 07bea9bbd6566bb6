/**
 * The built command compiles its program once and reads the compiled code back from V8's code
 * cache afterwards (src/cli/code-cache.ts): one file per build and command in the cache folder,
 * the same answers with or without it, a damaged cache file compiled over and rewritten, and
 * nothing written with `DAGTEST_CODE_CACHE=0` (nor by --help and --version, which need no program).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, repoRoot, tempDir } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

function dagtest(args: readonly string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    env: cliEnv(env),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cached = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".bin"));

describe("the program's compiled code, cached per build and command", () => {
  it("writes one cache file per command, and answers the same from it", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    const cacheDir = tempDir();
    const env = { DAGTEST_CODE_CACHE_DIR: cacheDir };
    const id = /^\/\*dagtest-bundle:(\w+)\*\//.exec(
      readFileSync(path.join(repoRoot, "dist/cli/program.cjs"), "latin1"),
    )?.[1];
    expect(id, "dist/cli/program.cjs is built by scripts/build-cli.mjs").toBeTruthy();

    expect(dagtest(["--version"], dir, env).status).toBe(0);
    expect(dagtest(["--help"], dir, env).status).toBe(0);
    expect(cached(cacheDir)).toEqual([]);

    const first = dagtest(["plan", "--json"], dir, env);
    expect(first.status, first.stderr).toBe(0);
    expect(cached(cacheDir)).toEqual([expect.stringMatching(new RegExp(`^${id}-plan-v\\d+`))]);
    const again = dagtest(["plan", "--json"], dir, env);
    expect(again.stdout).toBe(first.stdout);

    const ran = dagtest(["run"], dir, env);
    expect(ran.status, ran.stderr).toBe(0);
    expect(
      cached(cacheDir)
        .map((f) => f.split("-")[1])
        .sort(),
    ).toEqual(["plan", "run"]);
  });

  it("compiles over a damaged cache file and writes a good one; DAGTEST_CODE_CACHE=0 writes none", () => {
    const dir = makeProject({ nodes: { only: { source: script(writeOutput("out")), outputs: ["out"] } } });
    const cacheDir = tempDir();
    const env = { DAGTEST_CODE_CACHE_DIR: cacheDir };
    const good = dagtest(["plan", "--json"], dir, env);
    const [file] = cached(cacheDir);
    if (!file) throw new Error("no cache file was written");
    writeFileSync(path.join(cacheDir, file), "not V8's code cache");
    const damaged = dagtest(["plan", "--json"], dir, env);
    expect(damaged.status, damaged.stderr).toBe(0);
    expect(damaged.stdout).toBe(good.stdout);
    expect(readFileSync(path.join(cacheDir, file), "utf8")).not.toBe("not V8's code cache");

    const off = tempDir();
    const none = dagtest(["plan", "--json"], dir, { DAGTEST_CODE_CACHE_DIR: off, DAGTEST_CODE_CACHE: "0" });
    expect(none.stdout).toBe(good.stdout);
    expect(cached(off)).toEqual([]);
  });
});

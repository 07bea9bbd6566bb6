/**
 * The built CLI and the cache, spawned as a user would: `plan --explain-cache`, `cache clean`,
 * the resume hint after a failure (and that its command continues the run), and `run --watch`
 * rerunning an edited script and stopping cleanly on Ctrl-C.
 */
import { type ChildProcess, execFileSync, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { removeTempDirs, repoRoot, tempDir } from "../helpers/paths.js";
import { makeProject, prepTrainReport, script, writeOutput } from "../helpers/run-rig.js";

const cli = cliPath;

// Builds dist/ when a source is newer, under a lock shared with the other e2e files.
beforeAll(buildCli, 120_000);

afterAll(removeTempDirs);

function dagtest(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    env: cliEnv(),
    encoding: "utf8",
    timeout: 60_000,
  });
}

/** prep → train → report; train raises while `failFlag` exists. */
function pipeline(failFlag: string): string {
  return makeProject(
    prepTrainReport(
      { source: script(writeOutput("clean")), outputs: ["clean"] },
      {
        source: script(
          `if os.path.exists(${JSON.stringify(failFlag)}):\n    raise ValueError("boom")\n${writeOutput("model")}`,
        ),
        inputs: ["clean"],
        outputs: ["model"],
      },
    ),
  );
}

describe("dagtest plan --explain-cache and dagtest cache clean", () => {
  const example = tempDir();
  beforeAll(() => {
    cpSync(path.join(repoRoot, "examples/tabular"), example, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}.dagtest`) && !src.includes("__pycache__"),
    });
  });

  it("prints a node's fingerprint data as text, with whether it is stored", () => {
    const r = dagtest(["plan", example, "--explain-cache", "SklearnTraining"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SklearnTraining: fingerprint [0-9a-f]{64}$/m);
    expect(r.stdout).toContain("stored: no (the next run runs it)");
    expect(r.stdout).toContain(path.join(example, "src/model_utils.py"));
    expect(r.stdout).toContain('"LEARNING_RATE"');
  });

  it("--json gives the same as data; an unknown node is a usage error with a suggestion", () => {
    const r = dagtest(["plan", example, "--explain-cache", "SklearnTraining", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ node: "SklearnTraining", cacheable: true, stored: false, storedAt: null });
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(report.data.script.path).toBe(path.join(example, "src/sklearn_training.py"));
    expect(report.data.localModules.map((m: { path: string }) => m.path)).toEqual([
      path.join(example, "src/model_utils.py"),
    ]);
    const unknown = dagtest(["plan", example, "--explain-cache", "SklearnTrainin"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("DAGTEST_USAGE");
    expect(unknown.stderr).toContain("SklearnTraining");
  });

  it("after a run the entry is stored; cache clean removes it", () => {
    const dir = pipeline(path.join(tempDir(), "never"));
    expect(dagtest(["run", dir]).status).toBe(0);
    const stored = JSON.parse(dagtest(["plan", dir, "--explain-cache", "train", "--json"]).stdout);
    expect(stored).toMatchObject({ stored: true });
    const clean = dagtest(["cache", "clean", dir]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain("removed 3 cached result(s)");
    expect(JSON.parse(dagtest(["plan", dir, "--explain-cache", "train", "--json"]).stdout)).toMatchObject({
      stored: false,
    });
    expect(dagtest(["cache", "clean", dir]).stdout).toContain("removed 0 cached result(s)");
  });

  it("cache clean keeps the remembered static check; cache clean --all forgets it too", () => {
    const dir = pipeline(path.join(tempDir(), "never"));
    expect(dagtest(["run", dir]).status).toBe(0);
    const cache = path.join(dir, ".dagtest", "cache");
    expect(readdirSync(cache)).toEqual(expect.arrayContaining(["describe.json", "entries"]));
    expect(dagtest(["cache", "clean", dir]).stdout).toContain("removed 3 cached result(s) from");
    expect(readdirSync(cache)).not.toContain("entries");
    expect(readdirSync(cache)).toContain("describe.json");
    const rerun = dagtest(["run", dir, "--json"]);
    expect(JSON.parse(rerun.stdout).summary).toMatchObject({ passed: 3, cached: 0 });
    const all = dagtest(["cache", "clean", dir, "--all"]);
    expect(all.stdout).toContain("removed 3 cached result(s) and the remembered static check from");
    expect(existsSync(cache)).toBe(false);
  });
});

describe("resuming a failed run", () => {
  it("prints the command that continues, and that command reruns only what did not finish", () => {
    const flag = path.join(tempDir(), "fail");
    writeFileSync(flag, "");
    const dir = pipeline(flag);
    const failed = dagtest(["run", dir]);
    expect(failed.status).toBe(1);
    const hint = failed.stdout.match(
      /^to continue: (dagtest run .*) \(finished nodes come from the cache\)$/m,
    );
    expect(hint?.[1]).toBe(`dagtest run ${dir} --from train`);
    rmSync(flag);
    const args = hint![1]!.split(" ").slice(1);
    const resumed = dagtest([...args, "--json"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout);
    expect(result.scriptResults.prep.status).toBe("cached");
    expect(result.scriptResults.train.status).toBe("passed");
    expect(result.scriptResults.report.status).toBe("passed");
  });
});

/** Resolves once the child's stdout matches `pattern` (rejects if it exits first). */
function waitForOutput(child: ChildProcess, pattern: RegExp, seen: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(seen.text)) {
        child.stdout?.off("data", check);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited ${code} before ${pattern}:\n${seen.text}`)));
    check();
  });
}

/** Every descendant process of `pid` (children, their children, ...). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("dagtest run --watch", () => {
  it("reruns an edited leaf script, says why, and stops cleanly on Ctrl-C", async () => {
    const dir = pipeline(path.join(tempDir(), "never"));
    const child = spawn(process.execPath, [cli, "run", dir, "--watch"], {
      cwd: repoRoot,
      env: cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const seen = { text: "" };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      seen.text += chunk;
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      // The watcher is ready before this line is printed: an edit from now on is seen.
      await waitForOutput(child, /\[dagtest\] watching \d+ paths/, seen);
      expect(seen.text).toMatch(/pipeline passed: 3 passed/);
      const mark = seen.text.length;
      appendFileSync(path.join(dir, "scripts/report.py"), "\n# edited while watching\n");
      await waitForOutput(child, /pipeline passed: 1 passed, 0 failed, 2 cached/, seen);
      const rerun = seen.text.slice(mark);
      expect(rerun).toContain("[dagtest] changed:");
      expect(rerun).toMatch(/^ {2}✓ report .*ran: the script changed$/m);
      expect(rerun).toMatch(/^ {2}≡ prep /m);
      expect(rerun).toMatch(/^ {2}≡ train /m);
      await waitForOutput(child, /watching \d+ paths[\s\S]*watching \d+ paths/, seen);
      const family = descendants(child.pid!);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(family.filter(alive)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

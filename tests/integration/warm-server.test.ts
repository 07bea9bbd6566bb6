/**
 * What only the warm executor can get wrong, beyond the shared conformance suite: its fork
 * server must survive any child, be replaced when it dies (the job retried cold, with the
 * reason in the node's log), catch a child that never starts, never outlive dagtest, and
 * honour `isolation: process` and `--cold`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { loadSpecProject } from "../../src/config/project.js";
import { ColdExecutor } from "../../src/exec/cold.js";
import { createExecutor, preloadOf } from "../../src/exec/index.js";
import { WarmExecutor } from "../../src/exec/warm.js";
import type { ScriptResult } from "../../src/model/run.js";
import { planProject } from "../../src/plan/build.js";
import { removeTempDirs, repoRoot, tempDir, writeTree } from "../helpers/paths.js";
import { makeProject, type RigRun, runRig, script, writeOutput } from "../helpers/run-rig.js";

const ok = (port = "out") => script(writeOutput(port));

function resultOf(run: RigRun, node: string): ScriptResult {
  const r = run.result.scriptResults[node];
  if (!r) throw new Error(`no result for ${node}`);
  return r;
}

/** True while `pid` exists and is not a zombie (an orphan may wait a while to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe.runIf(process.platform === "linux")("warm executor", () => {
  afterAll(() => removeTempDirs());

  it("keeps one server through a segfaulting child and goes on serving", async () => {
    const executor = new WarmExecutor();
    try {
      const crash = await runRig(
        { nodes: { segfault: { source: script("import ctypes\nctypes.string_at(0)"), outputs: ["out"] } } },
        executor,
      );
      expect(resultOf(crash, "segfault")).toMatchObject({
        reason: "signal",
        signal: "SIGSEGV",
        executor: "fork",
      });
      const [before] = await executor.serverPids();
      // Same imports, same preload list: the same server must serve it.
      const fine = script(writeOutput("out"), "import ctypes");
      const after = await runRig({ nodes: { fine: { source: fine, outputs: ["out"] } } }, executor);
      expect(resultOf(after, "fine")).toMatchObject({ status: "passed", executor: "fork" });
      expect(await executor.serverPids()).toEqual([before]);
    } finally {
      await executor.close();
    }
  });

  it("retries a job cold when its server is killed mid-run, logs why, and restarts the server", async () => {
    const notices: string[] = [];
    const executor = new WarmExecutor({ onNotice: (m) => notices.push(m) });
    try {
      let killed = 0;
      const run = await runRig(
        { nodes: { slow: { source: script(`time.sleep(1.5)\n${writeOutput("out")}`), outputs: ["out"] } } },
        executor,
        {
          onEvent: (e) => {
            if (e.type !== "nodeStart") return;
            setTimeout(async () => {
              [killed = 0] = await executor.serverPids();
              process.kill(killed, "SIGKILL");
            }, 500);
          },
        },
      );
      const slow = resultOf(run, "slow");
      expect(slow).toMatchObject({ status: "passed", executor: "process" });
      const log = readFileSync(slow.logs!.stderr, "utf8");
      expect(log).toMatch(/^\[dagtest\] retried in a cold process: the fork server was killed by SIGKILL/);
      expect(notices.join("\n")).toContain("retried in a cold process");
      const next = await runRig({ nodes: { fine: { source: ok(), outputs: ["out"] } } }, executor);
      expect(resultOf(next, "fine")).toMatchObject({ status: "passed", executor: "fork" });
      const [restarted] = await executor.serverPids();
      expect(restarted).toBeGreaterThan(0);
      expect(restarted).not.toBe(killed);
    } finally {
      await executor.close();
    }
  });

  it("catches a child that deadlocks at start with the start deadline and runs the job cold", async () => {
    // A preloaded module whose fork handler takes a lock nobody will release: the fork-safety
    // failure a module with threads causes, made deterministic.
    const site = writeTree(tempDir(), {
      "stall_at_fork.py":
        "import os, threading\n_lock = threading.Lock()\n_lock.acquire()\nos.register_at_fork(after_in_child=_lock.acquire)\n",
    });
    const executor = new WarmExecutor({ startDeadlineMs: 1500, serverEnv: { PYTHONPATH: site } });
    try {
      const started = performance.now();
      const run = await runRig(
        {
          nodes: { first: { source: ok(), outputs: ["out"] }, second: { source: ok(), outputs: ["out"] } },
          edges: [["first", "second"]],
          run: { preload: ["stall_at_fork"] },
        },
        executor,
      );
      for (const node of ["first", "second"])
        expect(resultOf(run, node)).toMatchObject({ status: "passed", executor: "process" });
      expect(readFileSync(resultOf(run, "first").logs!.stderr, "utf8")).toContain(
        "did not start within 1.5 s (start deadline)",
      );
      // The second job does not wait for a deadline again: that server is not used any more.
      expect(readFileSync(resultOf(run, "second").logs!.stderr, "utf8")).toMatch(
        /^\[dagtest\] ran in a cold process/,
      );
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      await executor.close();
    }
  });

  it("leaves no server behind after close()", async () => {
    const executor = new WarmExecutor();
    await runRig({ nodes: { fine: { source: ok(), outputs: ["out"] } } }, executor);
    const [pid] = await executor.serverPids();
    expect(pid && alive(pid)).toBe(true);
    await executor.close();
    expect(await gone(pid!, 3000)).toBe(true);
  });

  it("leaves no server and no job behind when dagtest is killed with SIGKILL", async () => {
    const pidFile = path.join(tempDir(), "child.pid");
    const engine = spawn(process.execPath, ["--import", "tsx", "tests/helpers/warm-engine.ts", pidFile], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: engine.stdout }).once("line", resolve),
    );
    const { server, child } = JSON.parse(line) as { server: number; child: number };
    expect(alive(server) && alive(child)).toBe(true);
    engine.kill("SIGKILL");
    expect(await gone(server, 5000)).toBe(true);
    expect(await gone(child, 5000)).toBe(true);
  });

  it("runs a node with isolation: process in a fresh interpreter, the others forked", async () => {
    const executor = createExecutor();
    try {
      const run = await runRig(
        {
          nodes: {
            forked: { source: ok(), outputs: ["out"] },
            fresh: { source: ok(), outputs: ["out"], isolation: "process" },
          },
        },
        executor,
      );
      expect(resultOf(run, "forked")).toMatchObject({ status: "passed", executor: "fork" });
      expect(resultOf(run, "fresh")).toMatchObject({ status: "passed", executor: "process" });
      const global = await runRig(
        { nodes: { all: { source: ok(), outputs: ["out"] } }, run: { isolation: "process" } },
        executor,
      );
      expect(resultOf(global, "all")).toMatchObject({ status: "passed", executor: "process" });
    } finally {
      await executor.close();
    }
  });

  it("is the default executor; --cold picks the cold one (each loaded with its first job)", () => {
    expect(createExecutor().name).toBe(new WarmExecutor().name);
    expect(createExecutor({ cold: true }).name).toBe(new ColdExecutor().name);
  });

  it("preloads the scripts' imports, never their local modules or stubs", async () => {
    const header = "import helper\nimport boto3\nfrom os import path\nimport xml.dom";
    const dir = makeProject({
      nodes: {
        a: { source: script("pass", header), outputs: ["out"] },
        b: { source: script("pass", "import csv"), outputs: ["out"], isolation: "process" },
      },
      run: { preload: ["decimal"], guards: { stub_modules: ["boto3"] } },
    });
    writeTree(dir, { "scripts/helper.py": "X = 1\n" });
    const plan = await planProject(loadSpecProject(path.join(dir, "dagtest.yaml")));
    // csv: only node b imports it, and b never forks.
    expect(preloadOf(plan)).toEqual({
      imports: ["json", "os", "sys", "time", "xml.dom"],
      explicit: ["decimal"],
    });
  });
});

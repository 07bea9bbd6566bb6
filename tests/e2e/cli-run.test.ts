/**
 * The built `dagtest run` CLI, spawned as a user would, on temp copies of pipelines: the example
 * end to end with --json and --junit, a failing script, --fail-fast, a node the plan marks not
 * ready, and Ctrl-C in the middle of a run.
 */
import { execFileSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/model/plan.js";
import type { RunResult } from "../../src/model/run.js";
import { buildCli, runCli, startCli } from "../helpers/cli.js";
import { removeTempDirs, repoRoot, tempDir, testPython } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

const dagtest = (args: readonly string[], cwd: string) => runCli(args, cwd, 120_000);

function runJson(result: SpawnSyncReturns<string>): RunResult {
  try {
    return JSON.parse(result.stdout) as RunResult;
  } catch {
    throw new Error(`stdout is not the run result JSON:\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

function record(runDir: string): { plan: Plan; result: RunResult } {
  return JSON.parse(readFileSync(path.join(runDir, "run.json"), "utf8")) as { plan: Plan; result: RunResult };
}

/** Processes whose command line contains `marker`. */
function processesWith(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

describe("dagtest run on the example pipeline", () => {
  let dir: string;
  let run: SpawnSyncReturns<string>;
  let result: RunResult;
  beforeAll(() => {
    dir = tempDir();
    cpSync(path.join(repoRoot, "examples/tabular"), dir, {
      recursive: true,
      filter: (src) => !src.includes(".dagtest"),
    });
    run = dagtest(
      [
        "run",
        ".",
        "--jobs",
        "2",
        "--json",
        "--junit",
        "reports/junit.xml",
        "--report",
        "reports/report.html",
      ],
      dir,
    );
    result = runJson(run);
  }, 180_000);

  it("exits 0 with every script passed and pipelineSuccess in the JSON result", () => {
    expect(run.status, run.stderr).toBe(0);
    expect(result.pipelineSuccess).toBe(true);
    const scripts = Object.values(result.scriptResults).filter((r) => r.reason !== "phantom");
    expect(scripts).toHaveLength(8);
    for (const r of scripts) expect(r.status, `${r.node}: ${r.message}`).toBe("passed");
    expect(result.summary).toMatchObject({ passed: 8, failed: 0, skipped: 3, cancelled: 0 });
    // Progress goes to stderr with --json, so stdout stays one JSON document.
    expect(run.stderr).toMatch(/… TabularPreprocessing_training started/);
    expect(run.stderr).toContain("✓ pipeline passed: 8 passed, 0 failed");
  });

  it("hands each consumer a private copy of its producer's output folders, as the plan wired them", () => {
    const { plan } = record(result.runDir);
    expect(plan.wires.length).toBeGreaterThanOrEqual(12);
    // Wires into phantoms (Registration) are shown as cursus would wire them, never run.
    for (const wire of plan.wires.filter((w) => w.intoPhantom))
      expect(plan.nodes.find((n) => n.name === wire.to.node)?.kind).toBe("phantom");
    for (const wire of plan.wires.filter((w) => !w.intoPhantom)) {
      const job = JSON.parse(readFileSync(path.join(result.runDir, wire.to.node, "job.json"), "utf8")) as {
        inputPaths: Record<string, string>;
        inputSources: Record<string, string>;
      };
      const producer = plan.nodes.find((n) => n.name === wire.from.node)!;
      const expected =
        producer.kind === "phantom"
          ? producer.suppliedOutputs[wire.from.port]!
          : path.join(result.runDir, wire.from.node, "out", wire.from.port);
      const wireName = `${wire.from.node}.${wire.from.port} → ${wire.to.node}.${wire.to.port}`;
      expect(job.inputSources[wire.to.port], wireName).toBe(expected);
      // Read through its own copy (issue 11): never the producer's folder nor the user's data.
      expect(job.inputPaths[wire.to.port], wireName).toBe(
        path.join(result.runDir, wire.to.node, "in", wire.to.port),
      );
      expect(readdirSync(expected).length, `${wireName}: nothing flowed`).toBeGreaterThan(0);
    }
    expect(result.dataFlowResults.every((f) => f.ok)).toBe(true);
  });

  it("writes report.html into the run folder (and --report FILE): one self-contained file under 1 MB", () => {
    const html = readFileSync(path.join(result.runDir, "report.html"), "utf8");
    expect(readFileSync(path.join(dir, "reports/report.html"), "utf8")).toBe(html);
    expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
    const data = html.match(/<script type="application\/json" id="dagtest-data">(.*?)<\/script>/s)?.[1];
    const embedded = JSON.parse(data ?? "null") as { mode: string; result: RunResult } | null;
    expect(embedded?.mode).toBe("report");
    expect(embedded?.result.runId).toBe(result.runId);
    expect(embedded?.result.summary).toEqual(result.summary);
    // Nothing is loaded from anywhere: no external script, style, image or link.
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it("--junit writes JUnit XML that parses, one test case per node", () => {
    const file = path.join(dir, "reports/junit.xml");
    const parsed = JSON.parse(
      execFileSync(
        testPython(),
        [
          "-c",
          `import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
print(json.dumps({"root": root.tag, "failures": root.get("failures"), "skipped": root.get("skipped"),
  "cases": [c.get("name") for c in cases], "skippedCases": sum(1 for c in cases if c.find("skipped") is not None),
  "failedCases": sum(1 for c in cases if c.find("failure") is not None)}))`,
          file,
        ],
        { encoding: "utf8" },
      ),
    ) as {
      root: string;
      failures: string;
      skipped: string;
      cases: string[];
      skippedCases: number;
      failedCases: number;
    };
    expect(parsed.root).toBe("testsuites");
    expect([...parsed.cases].sort()).toEqual(Object.keys(result.scriptResults).sort());
    expect(parsed.cases).toHaveLength(11);
    expect(parsed).toMatchObject({ failures: "0", failedCases: 0, skipped: "3", skippedCases: 3 });
  });
});

describe("dagtest run: failures", () => {
  it("a script that raises: exit 1, the node's error and its log tail in the output, downstream skipped", () => {
    const dir = makeProject({
      nodes: {
        prepare: { source: script(writeOutput("table")), outputs: ["table"] },
        train: {
          source: script(
            `print("loading 2 rows for training", flush=True)\nraise ValueError("label column 'is_fraud' is empty")`,
          ),
          inputs: ["table"],
          outputs: ["model"],
        },
        package: { source: script(writeOutput("bundle")), inputs: ["model"], outputs: ["bundle"] },
      },
      edges: [
        ["prepare", "train"],
        ["train", "package"],
      ],
    });
    const run = dagtest(["run", "."], dir);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /✗ train .*ValueError: label column 'is_fraud' is empty \(.*train\.py:6 in main\)/,
    );
    expect(run.stdout).toContain("train failed: ValueError: label column 'is_fraud' is empty");
    expect(run.stdout).toMatch(/│ loading 2 rows for training/);
    expect(run.stdout).toMatch(/- package .*skipped: upstream train did not pass/);
    expect(run.stdout).toContain("✗ pipeline failed: 1 passed, 1 failed");
  });

  it("--fail-fast starts nothing after the first failure and marks the rest cancelled", () => {
    const dir = makeProject({
      nodes: {
        boom: { source: script("sys.exit(3)"), outputs: ["out"] },
        second: { source: script(writeOutput("out")), outputs: ["out"] },
        third: { source: script(writeOutput("out")), outputs: ["out"] },
      },
    });
    const run = dagtest(["run", ".", "--jobs", "1", "--fail-fast", "--json"], dir);
    expect(run.status, run.stderr).toBe(1);
    const result = runJson(run);
    expect(result.scriptResults.boom).toMatchObject({ status: "failed", reason: "exit-non-zero" });
    for (const node of ["second", "third"]) {
      expect(result.scriptResults[node]).toMatchObject({
        status: "cancelled",
        reason: "cancelled",
        message: "not started: --fail-fast stopped the run",
        startedAt: null,
      });
    }
    expect(result).toMatchObject({ interrupted: true, pipelineSuccess: false, executionOrder: ["boom"] });
  });

  it("a node with a plan error (missing package) is failed not-ready; the other nodes run", () => {
    const dir = makeProject({
      nodes: {
        fine: { source: script(writeOutput("out")), outputs: ["out"] },
        needy: { source: script(writeOutput("out")), outputs: ["out"] },
        after: { source: script(writeOutput("done")), inputs: ["out"], outputs: ["done"] },
      },
      edges: [["fine", "after"]],
    });
    const spec = path.join(dir, "dagtest.yaml");
    const text = readFileSync(spec, "utf8").replace(
      /( {4}needy:\n)/,
      "$1      requirements: {no-such-package-dagtest: '>=1.0'}\n",
    );
    expect(text).toContain("no-such-package-dagtest");
    writeFileSync(spec, text);
    const run = dagtest(["run", ".", "--json"], dir);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain("DAGTEST_PACKAGE_MISSING");
    const result = runJson(run);
    expect(result.scriptResults.needy).toMatchObject({
      status: "failed",
      reason: "not-ready",
      startedAt: null,
    });
    expect(result.scriptResults.needy?.message).toContain("no-such-package-dagtest");
    expect(result.scriptResults.fine?.status).toBe("passed");
    expect(result.scriptResults.after?.status).toBe("passed");
  });
});

describe("dagtest run: Ctrl-C", () => {
  it("stops at once, leaves no process behind, and records what finished", async () => {
    const marker = `dagtest_sigint_${process.pid}_${Date.now()}`;
    const hang = script(
      `import subprocess\nsubprocess.Popen(["bash", "-c", "exec -a ${marker} sleep 600"])\nprint("grandchild started", flush=True)\ntime.sleep(600)`,
    );
    const dir = makeProject({
      nodes: {
        quick: { source: script(writeOutput("out")), outputs: ["out"] },
        slow: { source: hang, inputs: ["out"], outputs: ["out"] },
        never: { source: script(writeOutput("out")), inputs: ["out"], outputs: ["out"] },
      },
      edges: [
        ["quick", "slow"],
        ["slow", "never"],
      ],
    });
    const cli = startCli(["run", "."], dir);
    await cli.until(() => cli.stdout().includes("slow started") && processesWith(marker).length > 0);
    const interruptedAt = Date.now();
    cli.child.kill("SIGINT");
    const code = await cli.exited;
    expect(Date.now() - interruptedAt).toBeLessThan(5_000);
    expect(code, `${cli.stdout()}\n${cli.stderr()}`).toBe(130);
    expect(cli.stderr()).toContain("[dagtest] stopping");
    expect(processesWith(marker)).toEqual([]);
    const runs = readdirSync(path.join(dir, ".dagtest", "runs"));
    expect(runs).toHaveLength(1);
    const { result } = record(path.join(dir, ".dagtest", "runs", runs[0]!));
    expect(result.interrupted).toBe(true);
    expect(result.scriptResults.quick?.status).toBe("passed");
    expect(result.scriptResults.slow).toMatchObject({ status: "cancelled", reason: "cancelled" });
    expect(result.scriptResults.never).toMatchObject({ status: "cancelled", startedAt: null });
    expect(existsSync(path.join(dir, ".dagtest", "runs", runs[0]!, "quick", "out", "out", "part.csv"))).toBe(
      true,
    );
  }, 90_000);
});

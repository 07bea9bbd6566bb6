import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ColdExecutor } from "../../src/exec/cold.js";
import { RayExecutor } from "../../src/exec/ray/executor.js";
import type { RunResult } from "../../src/model/run.js";
import { executorConformance } from "../conformance/executor.suite.js";
import { buildCli, startCli } from "../helpers/cli.js";
import { removeTempDirs } from "../helpers/paths.js";
import {
  clusterIdle,
  type RayCluster,
  rayPython,
  rayRunners,
  startRayCluster,
} from "../helpers/ray-cluster.js";
import {
  cliRun,
  exampleCopy,
  executorErrorOf,
  otherRayPython,
  outputDigests,
  runFarNode,
} from "../helpers/ray-rig.js";
import { makeProject, type RigNode, runRig, script, writeOutput } from "../helpers/run-rig.js";

const found = rayPython();
if ("skip" in found) console.warn(`[dagtest] SKIPPING the Ray executor tests: ${found.skip}`);
const python = "python" in found ? found.python : null;

let cluster: RayCluster | null = null;
const theCluster = (): RayCluster => {
  if (!cluster) throw new Error("the test Ray cluster is not up");
  return cluster;
};

// One cluster for the whole file, stopped in afterAll even when a test fails.
beforeAll(async () => {
  if (!python) return;
  cluster = await startRayCluster(python);
  process.env.RAY_ADDRESS = cluster.address;
}, 240_000);
afterAll(async () => {
  delete process.env.RAY_ADDRESS;
  await cluster?.stop();
  cluster = null;
  removeTempDirs();
}, 120_000);

describe.runIf(python)("the Ray executor on a local two-node cluster", () => {
  executorConformance("ray", () => new RayExecutor({ python: python! }), "ray");

  describe("placement, shipping and faults", () => {
    const executor = new RayExecutor({ python: python! });
    afterAll(() => executor.close());

    it("runs a node forced onto the second worker from shipped bytes, and brings its outputs back", async () => {
      const { run, far, seen } = await runFarNode(executor, theCluster());
      // The worker read shipped copies in its own temp folder, never the laptop's run folder.
      for (const p of [seen.file, seen.input, seen.cwd]) {
        expect(p.startsWith(run.dir)).toBe(false);
        expect(p).toContain("dagtest-ray-");
      }
      expect(seen.rows).toBe("a,b\n1,2\n");
      // The run folder is a local run's: job, outcome (with laptop paths), logs, outputs.
      const nodeDir = path.join(run.result.runDir, "far");
      const outcome = JSON.parse(readFileSync(path.join(nodeDir, "outcome.json"), "utf8"));
      expect(outcome.status).toBe("passed");
      expect(readFileSync(path.join(nodeDir, "logs", "stdout.log"), "utf8")).toBe("");
      expect(run.result.dataFlowResults.find((f) => f.to.node === "far")).toMatchObject({
        ok: true,
        rows: 1,
      });
      const record = JSON.parse(readFileSync(path.join(run.result.runDir, "run.json"), "utf8"));
      expect(record.result.scriptResults.far.workerNode).toBe(far.workerNode);
    });

    it("passes paths instead of bytes under run.ray.shared_dir, with the same run folder", async () => {
      // The test cluster's workers share this machine's disk: the rig's project is under os.tmpdir().
      const shared = new RayExecutor({ python: python!, sharedDir: os.tmpdir() });
      try {
        const { run, seen } = await runFarNode(shared, theCluster());
        expect(seen.file).toBe(path.join(run.dir, "scripts/far.py"));
        expect(seen.input.startsWith(path.join(run.result.runDir, "far"))).toBe(true);
        for (const p of [seen.file, seen.input, seen.cwd]) expect(p).not.toContain("dagtest-ray-");
        expect(seen.rows).toBe("a,b\n1,2\n");
        expect(
          JSON.parse(readFileSync(path.join(run.result.runDir, "far", "outcome.json"), "utf8")),
        ).toMatchObject({ status: "passed" });
        expect(run.result.dataFlowResults.find((f) => f.to.node === "far")).toMatchObject({
          ok: true,
          rows: 1,
        });
      } finally {
        await shared.close();
      }
      expect(await clusterIdle(theCluster())).toEqual({ busyCpus: 0, processes: [] });
    });

    it("runs a wide fan-out exactly as the cold executor does: statuses, outputs, profiles", async () => {
      const nodes: Record<string, RigNode> = {
        source: { source: script(writeOutput("out", "part.csv", "k,v\\n1,2\\n3,4\\n")), outputs: ["out"] },
      };
      const edges: [string, string][] = [];
      const copy = `rows = open(os.path.join(input_paths["out"], "part.csv")).read()\n${writeOutput("out", "part.csv", "k,v\\n")}\nopen(os.path.join(output_paths["out"], "part.csv"), "a").write(rows.split("\\n", 1)[1])`;
      for (let i = 0; i < 8; i++) {
        nodes[`w${i}`] = { source: script(copy), inputs: ["out"], outputs: ["out"] };
        edges.push(["source", `w${i}`]);
      }
      const spec = { nodes, edges };
      const local = new ColdExecutor();
      const [ray, cold] = [await runRig(spec, executor), await runRig(spec, local)];
      await local.close();
      const view = (run: Awaited<ReturnType<typeof runRig>>) => ({
        statuses: Object.fromEntries(Object.values(run.result.scriptResults).map((r) => [r.node, r.status])),
        outputs: Object.fromEntries(
          Object.values(run.result.scriptResults).map((r) => [
            r.node,
            readFileSync(path.join(r.outputs.out!, "part.csv"), "utf8"),
          ]),
        ),
        flows: run.result.dataFlowResults.map(({ path: _, message: __, ...f }) => f),
      });
      expect(view(ray)).toEqual(view(cold));
      expect(Object.values(ray.result.scriptResults).every((r) => r.executor === "ray")).toBe(true);
    });

    it("turns a dead worker and an unplaceable request into coded errors on their nodes", async () => {
      const run = await runRig(
        {
          nodes: {
            // Kills the Ray worker process that runs it (its parent): the worker dies mid-task.
            dies: {
              source: script("import signal\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(30)"),
              outputs: ["out"],
            },
            greedy: {
              source: script(writeOutput("out")),
              outputs: ["out"],
              settings: { resources: { gpu_that_nobody_has: 1 } },
            },
            fine: { source: script(writeOutput("out")), outputs: ["out"] },
          },
        },
        executor,
      );
      const r = run.result.scriptResults;
      expect(r.dies).toMatchObject({
        status: "failed",
        reason: "executor-error",
        executorError: { code: "DAGTEST_RAY_WORKER_DIED" },
      });
      expect(r.greedy).toMatchObject({
        status: "failed",
        reason: "executor-error",
        executorError: { code: "DAGTEST_RAY_UNPLACEABLE" },
      });
      expect(r.greedy!.message).toContain("gpu_that_nobody_has");
      expect(r.fine!.status).toBe("passed");
      expect(await clusterIdle(theCluster())).toEqual({ busyCpus: 0, processes: [] });
    });

    it("names the worker that lacks a package the scripts import, before anything runs", async () => {
      // pytest is in the planning venv (.venv) but not in the cluster's.
      const own = new RayExecutor({ python: python! });
      try {
        const r = await executorErrorOf(own, "DAGTEST_RAY_MISSING_PACKAGE", "import pytest");
        expect(r.message).toMatch(/worker \S+ \(node [0-9a-f]+\) cannot import pytest/);
      } finally {
        await own.close();
      }
    });

    it("refuses a driver on another Python than the cluster's, with a hint, before anything runs", async (ctx) => {
      const other = otherRayPython(python!);
      if ("skip" in other) {
        console.warn(`[dagtest] SKIPPING the Ray Python-version fault: ${other.skip}`);
        ctx.skip();
        return;
      }
      const foreign = new RayExecutor({ python: other.python });
      try {
        const r = await executorErrorOf(foreign, "DAGTEST_RAY_PYTHON_VERSION");
        expect(r.executorError?.hint).toContain("run.ray.python");
        expect(r.message).toMatch(/runs another Python or Ray version than dagtest's driver/);
        expect(r.message).toContain(theCluster().address);
        expect(readdirSync(r.outputs.out!)).toEqual([]); // the script never ran
      } finally {
        await foreign.close();
      }
      expect(await clusterIdle(theCluster())).toEqual({ busyCpus: 0, processes: [] });
    }, 900_000);

    it("fails fast with a hint when the cluster cannot be reached", async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
          const port = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(port));
        });
      });
      const away = new RayExecutor({ python: python!, address: `127.0.0.1:${closed}` });
      try {
        const started = performance.now();
        const r = await executorErrorOf(away, "DAGTEST_RAY_UNREACHABLE");
        expect(r.message).toContain("--ray-address");
        expect(performance.now() - started).toBeLessThan(30_000);
      } finally {
        await away.close();
      }
    });
  });
});

describe.runIf(python)("the bundled example on Ray and locally", () => {
  beforeAll(async () => {
    await buildCli();
  }, 240_000);

  it("gives the same statuses, outputs and data-flow profiles, and shares the cache both ways", async () => {
    const address = theCluster().address;
    const onRay = exampleCopy(python!);
    const local = exampleCopy(python!);
    const ray = cliRun(onRay, "--executor", "ray", "--ray-address", address);
    const here = cliRun(local, "--cold");
    const statuses = (r: RunResult) =>
      Object.fromEntries(Object.values(r.scriptResults).map((s) => [s.node, s.status]));
    expect(ray.pipelineSuccess).toBe(true);
    expect(statuses(ray)).toEqual(statuses(here));
    const ran = Object.values(ray.scriptResults).filter((s) => s.status === "passed");
    expect(ran.every((s) => s.executor === "ray" && typeof s.workerNode === "string")).toBe(true);
    // Package writes a tar archive (file times and the temp dir's name inside): not deterministic
    // between any two runs, so its bytes are left out.
    const ARCHIVE = "Package";
    const profile = (r: RunResult) =>
      r.dataFlowResults.map((f) => ({
        ...(f.from.node === ARCHIVE ? {} : { bytes: f.bytes }),
        from: f.from,
        to: f.to,
        ok: f.ok,
        files: f.files,
        rows: f.rows,
        columns: f.columns,
      }));
    // Flows are recorded as nodes finish: compare them in one order.
    const sorted = (r: RunResult) =>
      profile(r).sort((a, b) => JSON.stringify([a.from, a.to]).localeCompare(JSON.stringify([b.from, b.to])));
    expect(sorted(ray)).toEqual(sorted(here));
    // Deterministic scripts (fixed seeds): byte-identical outputs.
    const deterministic = (r: RunResult) =>
      Object.fromEntries(Object.entries(outputDigests(r)).filter(([k]) => !k.startsWith(`${ARCHIVE}/`)));
    expect(deterministic(ray)).toEqual(deterministic(here));
    expect(Object.keys(outputDigests(ray))).toEqual(Object.keys(outputDigests(here)));
    // The cache reuses Ray's results in a later local run, and local results in a later Ray run.
    const againHere = cliRun(onRay, "--cold");
    const againRay = cliRun(local, "--executor", "ray", "--ray-address", address);
    for (const again of [againHere, againRay]) {
      const scripts = Object.values(again.scriptResults).filter((s) => s.reason !== "phantom");
      expect(scripts.every((s) => s.status === "cached")).toBe(true);
      expect(again.pipelineSuccess).toBe(true);
    }
  }, 300_000);
});

describe.runIf(python)("dagtest run --executor ray: Ctrl-C", () => {
  beforeAll(buildCli, 240_000);

  it("cancels the node's task on the cluster, exits 130 and records the run as interrupted", async () => {
    const dir = makeProject({
      nodes: {
        quick: { source: script(writeOutput("out")), outputs: ["out"] },
        slow: { source: script("time.sleep(600)"), inputs: ["out"], outputs: ["out"] },
        never: { source: script(writeOutput("out")), inputs: ["out"], outputs: ["out"] },
      },
      edges: [
        ["quick", "slow"],
        ["slow", "never"],
      ],
      run: { ray: { python: python! } },
    });
    const cli = startCli(["run", ".", "--executor", "ray", "--ray-address", theCluster().address], dir);
    // The slow node's runner is up on a worker (in its shipped folder, dagtest-ray-*).
    await cli.until(() => cli.stdout().includes("slow started") && rayRunners().length > 0, 120_000);
    const interruptedAt = Date.now();
    cli.child.kill("SIGINT");
    expect(await cli.exited, `${cli.stdout()}\n${cli.stderr()}`).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(15_000);
    expect(await clusterIdle(theCluster())).toEqual({ busyCpus: 0, processes: [] });
    const runs = readdirSync(path.join(dir, ".dagtest", "runs"));
    const { result } = JSON.parse(
      readFileSync(path.join(dir, ".dagtest", "runs", runs[0]!, "run.json"), "utf8"),
    ) as { result: RunResult };
    expect(result.interrupted).toBe(true);
    expect(result.scriptResults.quick).toMatchObject({ status: "passed", executor: "ray" });
    expect(result.scriptResults.slow).toMatchObject({ status: "cancelled", reason: "cancelled" });
    expect(result.scriptResults.never).toMatchObject({ status: "cancelled", startedAt: null });
  }, 240_000);
});

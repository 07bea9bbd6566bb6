/**
 * The Ray executor against a real two-node Ray cluster on this machine (127.0.0.1 only), started
 * here and stopped in afterAll (also when a test fails; and on exit, see tests/helpers/ray-cluster.ts):
 * the executor conformance suite, nodes forced onto the second worker (nothing depends on the
 * laptop's disk), the cluster's faults as coded errors, and nothing left running afterwards.
 * Skipped, with a message, only where Ray cannot be installed.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RayExecutor } from "../../src/exec/ray/executor.js";
import { executorConformance } from "../conformance/executor.suite.js";
import { removeTempDirs } from "../helpers/paths.js";
import {
  clusterIdle,
  type RayCluster,
  rayPython,
  secondWorkerId,
  startRayCluster,
} from "../helpers/ray-cluster.js";
import { runRig, script, writeOutput } from "../helpers/run-rig.js";

const found = rayPython();
if ("skip" in found) console.warn(`[dagtest] SKIPPING the Ray executor tests: ${found.skip}`);
const python = "python" in found ? found.python : null;

let cluster: RayCluster | null = null;
const theCluster = (): RayCluster => {
  if (!cluster) throw new Error("the test Ray cluster is not up");
  return cluster;
};

describe.runIf(python)("the Ray executor on a local two-node cluster", () => {
  beforeAll(async () => {
    cluster = await startRayCluster(python!);
    process.env.RAY_ADDRESS = cluster.address;
  }, 240_000);
  afterAll(async () => {
    delete process.env.RAY_ADDRESS;
    await cluster?.stop();
    cluster = null;
    removeTempDirs();
  }, 120_000);

  executorConformance("ray", () => new RayExecutor({ python: python! }), "ray");

  describe("placement, shipping and faults", () => {
    const executor = new RayExecutor({ python: python! });
    afterAll(() => executor.close());

    it("runs a node forced onto the second worker from shipped bytes, and brings its outputs back", async () => {
      const where = [
        "os.makedirs(output_paths['where'], exist_ok=True)",
        "rows = open(os.path.join(input_paths['table'], 'part.csv')).read()",
        "open(os.path.join(output_paths['where'], 'where.json'), 'w').write(json.dumps({'file': __file__, 'input': input_paths['table'], 'cwd': os.getcwd(), 'rows': rows}))",
      ].join("\n");
      const run = await runRig(
        {
          nodes: {
            make: { source: script(writeOutput("table")), outputs: ["table"] },
            far: {
              source: script(where),
              inputs: ["table"],
              outputs: ["where"],
              settings: { resources: { second_worker: 1 }, num_cpus: 1 },
            },
          },
          edges: [["make", "far"]],
        },
        executor,
      );
      const far = run.result.scriptResults.far!;
      expect(far).toMatchObject({
        status: "passed",
        executor: "ray",
        workerNode: secondWorkerId(theCluster()),
      });
      const seen = JSON.parse(readFileSync(path.join(far.outputs.where!, "where.json"), "utf8"));
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
        const run = await runRig(
          { nodes: { tests: { source: script(writeOutput("out"), "import pytest"), outputs: ["out"] } } },
          own,
        );
        const r = run.result.scriptResults.tests!;
        expect(r).toMatchObject({
          status: "failed",
          reason: "executor-error",
          executorError: { code: "DAGTEST_RAY_MISSING_PACKAGE" },
        });
        expect(r.message).toMatch(/worker \S+ \(node [0-9a-f]+\) cannot import pytest/);
      } finally {
        await own.close();
      }
    });

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
        const run = await runRig(
          { nodes: { step: { source: script(writeOutput("out")), outputs: ["out"] } } },
          away,
        );
        const r = run.result.scriptResults.step!;
        expect(r).toMatchObject({
          status: "failed",
          reason: "executor-error",
          executorError: { code: "DAGTEST_RAY_UNREACHABLE" },
        });
        expect(r.message).toContain("--ray-address");
        expect(performance.now() - started).toBeLessThan(30_000);
      } finally {
        await away.close();
      }
    });
  });
});

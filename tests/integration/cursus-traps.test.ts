/**
 * A cursus pipeline whose scripts keep the real import-time traps (cursus-formats §5.3), planned
 * and run by the real engine with real Python, as a new user would: no edits to the scripts,
 * only the phantom's outputs and `stub_modules` in dagtest.yaml. Each run works on a temp copy
 * of tests/fixtures/pipelines/cursus-traps, so nothing is written into the repository.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadSpecProject } from "../../src/config/project.js";
import { runPlan } from "../../src/engine/run.js";
import { ColdExecutor } from "../../src/exec/cold.js";
import type { Plan } from "../../src/model/plan.js";
import type { RunResult, ScriptResult } from "../../src/model/run.js";
import { planProject } from "../../src/plan/build.js";
import { fixture, removeTempDirs, tempDir, testPython } from "../helpers/paths.js";
import { scriptNode } from "../helpers/plan.js";

const SCRIPTS = [
  "TabularPreprocessing_training",
  "XGBoostTraining",
  "ModelCalibration_calibration",
  "Package",
];
const executor = new ColdExecutor();

afterAll(async () => {
  await executor.close();
  removeTempDirs();
});

interface TrapRun {
  readonly dir: string;
  readonly plan: Plan;
  readonly result: RunResult;
}

/** Copy the fixture, let `edit` change its dagtest.yaml, then plan and run it. */
async function runTraps(edit: (spec: Record<string, unknown>) => void = () => {}): Promise<TrapRun> {
  const dir = tempDir();
  cpSync(fixture("cursus-traps"), dir, { recursive: true, filter: (src) => !src.includes(".dagtest") });
  const specFile = path.join(dir, "dagtest.yaml");
  const spec = parse(readFileSync(specFile, "utf8")) as Record<string, unknown>;
  edit(spec);
  writeFileSync(specFile, stringify(spec));
  const plan = await planProject(loadSpecProject(specFile, { python: testPython() }));
  const result = await runPlan(plan, { executor, stateDir: dir, python: testPython(), concurrency: 2 });
  return { dir, plan, result };
}

function resultOf(run: TrapRun, node: string): ScriptResult {
  const r = run.result.scriptResults[node];
  if (!r) throw new Error(`no result for ${node}: ${JSON.stringify(Object.keys(run.result.scriptResults))}`);
  return r;
}

function nodeSettings(spec: Record<string, unknown>, node: string): Record<string, unknown> {
  const nodes = (spec.nodes ?? {}) as Record<string, Record<string, unknown>>;
  spec.nodes = nodes;
  nodes[node] ??= {};
  return nodes[node];
}

describe("cursus traps: the real import-time habits, no edits to the scripts", () => {
  let run: TrapRun;
  beforeAll(async () => {
    run = await runTraps();
  }, 120_000);

  it("plans every script node as runnable once the phantom's outputs are supplied", () => {
    expect(run.plan.summary.ready).toBe(true);
    expect(run.plan.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(run.plan.nodes.filter((n) => n.kind === "script").map((n) => n.name)).toEqual(SCRIPTS);
    const secure = scriptNode(run.plan, "XGBoostTraining").env.find((e) => e.name === "USE_SECURE_PYPI");
    expect(secure).toMatchObject({ value: "false", source: { kind: "engine" } });
  });

  it("passes every runnable node and the pipeline", () => {
    for (const node of SCRIPTS) expect(resultOf(run, node), node).toMatchObject({ status: "passed" });
    expect(resultOf(run, "CradleDataLoading_training")).toMatchObject({
      status: "skipped",
      reason: "phantom",
    });
    expect(run.result.pipelineSuccess).toBe(true);
    expect(run.result.dataFlowResults.every((f) => f.ok)).toBe(true);
  });

  it("records the blocked import-time pip installs and the stubbed boto3/botocore as guard events", () => {
    expect(resultOf(run, "XGBoostTraining").guardEvents).toContainEqual({
      guard: "pip-install",
      detail: expect.stringMatching(/-m pip install scikit-learn<1\.0 pandas<2\.0$/),
    });
    const calibration = resultOf(run, "ModelCalibration_calibration").guardEvents;
    expect(calibration).toContainEqual({
      guard: "pip-install",
      detail: expect.stringMatching(/pip install numpy==1\.24\.4 scipy==1\.10\.1 pygam==0\.8\.1$/),
    });
    expect(calibration).toContainEqual({ guard: "stub", detail: "boto3 imported as a stub" });
    expect(calibration).toContainEqual({ guard: "stub", detail: "botocore imported as a stub" });
    // Nothing was installed: the pinned, older pandas never replaced the one in .venv.
    const pandas = execFileSync(testPython(), ["-c", "import pandas; print(pandas.__version__)"], {
      encoding: "utf8",
    });
    expect(Number(pandas.split(".")[0])).toBeGreaterThanOrEqual(2);
  });

  it("runs the Pool over shards with a module-level worker, and the env read at import reaches it", () => {
    const pre = resultOf(run, "TabularPreprocessing_training");
    const log = readFileSync(pre.logs!.stderr, "utf8");
    const workers = /120 rows from 3 shards, read by pool workers \[(\d+), (\d+)\]/.exec(log);
    expect(workers, log).not.toBeNull();
    const out = pre.outputs.processed_data!;
    expect(readdirSync(out).sort()).toEqual(["test", "train", "val"]);
    const rows = ["train", "val", "test"].map(
      (s) =>
        readFileSync(path.join(out, s, `${s}_processed_data.csv`), "utf8")
          .trim()
          .split("\n").length - 1,
    );
    expect(rows.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it("feeds each node the folders the plan wired, and packs the calibrator from a fresh WORKING_DIRECTORY", () => {
    const job = (node: string) =>
      JSON.parse(readFileSync(path.join(run.result.runDir, node, "job.json"), "utf8")) as {
        inputPaths: Record<string, string>;
        inputSources: Record<string, string>;
        environ: Record<string, string>;
      };
    for (const wire of run.plan.wires) {
      const producer = run.plan.nodes.find((n) => n.name === wire.from.node)!;
      const expected =
        producer.kind === "phantom"
          ? producer.suppliedOutputs[wire.from.port]
          : resultOf(run, wire.from.node).outputs[wire.from.port];
      const port = `${wire.to.node}.${wire.to.port}`;
      expect(job(wire.to.node).inputSources[wire.to.port], port).toBe(expected);
      // Read through its own copy (issue 11): never the producer's folder nor the user's data.
      expect(job(wire.to.node).inputPaths[wire.to.port], port).toBe(
        path.join(run.result.runDir, wire.to.node, "in", wire.to.port),
      );
    }
    const workdir = job("Package").environ.WORKING_DIRECTORY!;
    expect(workdir).toBe(path.join(run.result.runDir, "Package", "work"));
    const tarball = path.join(resultOf(run, "Package").outputs.packaged_model!, "model.tar.gz");
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(listing.sort()).toEqual(["calibration_model.pkl", "hyperparameters.json", "model.pkl"]);
  });
});

describe("cursus traps: faults land on their node with a clear reason", () => {
  it("without stub_modules, the nodes that import boto3 fail on their own node naming it; the rest go on", async () => {
    const run = await runTraps((spec) => {
      delete spec.run;
    });
    // Caught by the plan before anything ran: the import, its line and the way out are named.
    const calibration = resultOf(run, "ModelCalibration_calibration");
    expect(calibration).toMatchObject({ status: "failed", reason: "not-ready" });
    expect(calibration.message).toContain("imports boto3 (line 14), which the interpreter cannot import");
    expect(calibration.message).toContain("imports botocore (line 15)");
    expect(run.plan.problems).toContainEqual(
      expect.objectContaining({
        severity: "error",
        code: "DAGTEST_IMPORT_MISSING",
        node: "ModelCalibration_calibration",
        hint: expect.stringContaining("stub_modules: [boto3]"),
      }),
    );
    // xgboost_training imports boto3 only inside the function the offline env never calls: a
    // warning, and the node runs and passes.
    expect(run.plan.problems).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "DAGTEST_IMPORT_MISSING",
        node: "XGBoostTraining",
      }),
    );
    expect(resultOf(run, "TabularPreprocessing_training").status).toBe("passed");
    expect(resultOf(run, "XGBoostTraining").status).toBe("passed");
    expect(resultOf(run, "Package")).toMatchObject({ status: "skipped", reason: "upstream-failed" });
  }, 120_000);

  it("the plan's backstop: a boto3 import the planner missed still fails at import, on its node", async () => {
    const dir = tempDir();
    cpSync(fixture("cursus-traps"), dir, { recursive: true, filter: (src) => !src.includes(".dagtest") });
    const specFile = path.join(dir, "dagtest.yaml");
    const spec = parse(readFileSync(specFile, "utf8")) as Record<string, unknown>;
    delete spec.run;
    writeFileSync(specFile, stringify(spec));
    const planned = await planProject(loadSpecProject(specFile, { python: testPython() }));
    // As if the static check could not see the import (e.g. `importlib.import_module(name)`).
    const plan: Plan = {
      ...planned,
      problems: planned.problems.filter((p) => p.code !== "DAGTEST_IMPORT_MISSING"),
    };
    const result = await runPlan(plan, { executor, stateDir: dir, python: testPython(), concurrency: 2 });
    const calibration = result.scriptResults.ModelCalibration_calibration!;
    expect(calibration).toMatchObject({ status: "failed", reason: "exception" });
    expect(calibration.message).toContain(
      "while importing the script: ModuleNotFoundError: No module named 'boto3'",
    );
    expect(calibration.error?.frames.at(-1)).toMatchObject({ line: 14, code: "import boto3" });
    expect(calibration.error?.traceback).toContain("import boto3");
    expect(result.scriptResults.XGBoostTraining?.status).toBe("passed");
  }, 120_000);

  it("a wrong env at import (USE_SECURE_PYPI=true) reaches for boto3 STS and fails at import", async () => {
    const run = await runTraps((spec) => {
      nodeSettings(spec, "XGBoostTraining").env = { USE_SECURE_PYPI: "true" };
    });
    const training = resultOf(run, "XGBoostTraining");
    expect(training).toMatchObject({ status: "failed", reason: "exception" });
    expect(training.message).toMatch(
      /^while importing the script: RuntimeError: dagtest: boto3\.client\(\.\.\.\) was called/,
    );
    expect(training.error?.frames.map((f) => f.function)).toContain("_get_secure_pypi_access_token");
    expect(training.guardEvents).toContainEqual({ guard: "stub", detail: "boto3.client called" });
    expect(resultOf(run, "TabularPreprocessing_training").status).toBe("passed");
    expect(resultOf(run, "ModelCalibration_calibration")).toMatchObject({
      status: "skipped",
      reason: "upstream-failed",
    });
  }, 120_000);

  it("sys.exit(1) on main's error path fails the node with the exit code and the line", async () => {
    const run = await runTraps((spec) => {
      nodeSettings(spec, "ModelCalibration_calibration").env = { SCORE_FIELD: "no_such_score" };
    });
    const calibration = resultOf(run, "ModelCalibration_calibration");
    expect(calibration).toMatchObject({ status: "failed", reason: "exit-non-zero" });
    expect(calibration.message).toMatch(
      /^the script called sys\.exit\(1\) \(.*model_calibration\.py:\d+ in main\)$/,
    );
    expect(calibration.logTail).toContain("field 'no_such_score' not found in data");
    expect(resultOf(run, "XGBoostTraining").status).toBe("passed");
    expect(resultOf(run, "Package")).toMatchObject({ status: "skipped", reason: "upstream-failed" });
    expect(existsSync(path.join(run.result.runDir, "Package"))).toBe(false);
  }, 120_000);
});

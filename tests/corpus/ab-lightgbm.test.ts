/**
 * The development corpus: the real ab_lightgbm project (../shared/cursus/projects/ab_lightgbm),
 * its scripts unedited, planned and run through the built CLI as a user would, with only what a
 * user writes (the data behind the two phantom sources, the source-dir remap and the mapping of
 * the config's XGBoost-keyed entries to the LightGBM nodes). Every failure must be the project's
 * own, on the right node with file and line; with the fixes a user would make (each a minimal,
 * documented edit, applied to a copy), every script passes. Skipped, with a visible message,
 * where ../shared is absent.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan, ScriptNode } from "../../src/model/plan.js";
import type { RunResult, ScriptResult } from "../../src/model/run.js";
import { buildCli, cliEnv, cliPath } from "../helpers/cli.js";
import { cursusRoot, removeTempDirs, repoRoot, tempDir } from "../helpers/paths.js";

const project = path.join(cursusRoot, "projects/ab_lightgbm");
const present = existsSync(path.join(project, "dockers"));
if (!present)
  console.warn("../shared/cursus/projects/ab_lightgbm not found: skipping the real-project tests");

/** What a user writes into dagtest.yaml for this project, and nothing more. */
function userSpec(python: string, extra = ""): string {
  return `version: 1
dag: complete_e2e.dag.json
config: pipeline_config/config.json
interfaces: [${path.join(cursusRoot, "src/cursus/steps/interfaces")}]
python: ${python}
# The config names its code dir as deployed; here it is dockers/.
paths:
  dockers/xgboost_atoz: dockers
nodes:
  CradleDataLoading_training:
    outputs: {DATA: data/training/data, SIGNATURE: data/training/signature, METADATA: data/training/metadata}
  CradleDataLoading_calibration:
    outputs: {DATA: data/calibration/data, SIGNATURE: data/calibration/signature, METADATA: data/calibration/metadata}
  # The config keys its training and evaluation entries as XGBoost nodes.
  LightGBMTraining:
    config: XGBoostTraining
    script: dockers/lightgbm_training.py${extra}
  LightGBMModelEval_calibration:
    config: XGBoostModelEval_calibration
    script: dockers/scripts/lightgbm_model_eval.py
`;
}

/** The project's own bugs, in the order a run meets them, and the minimal fix a user makes. */
const FIXES = {
  /** `from ...core.base.hyperparameters_base import` reaches above the code dir's top package. */
  relativeImport(dir: string): void {
    const file = path.join(dir, "dockers/hyperparams/hyperparameters_lightgbm.py");
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text.replace("from ...core.base.hyperparameters_base import", "from .hyperparameters_base import"),
    );
  },
  /** REGION=NA (config `region`) makes training read hyperparameters_NA.json, which the project lacks. */
  regionHyperparameters(dir: string): void {
    const hyper = path.join(dir, "dockers/hyperparams");
    cpSync(path.join(hyper, "hyperparameters.json"), path.join(hyper, "hyperparameters_NA.json"));
  },
} as const;

/**
 * The evaluation script loads risk_table_map.pkl unconditionally, which training writes only in
 * risk-table mode; its interface defaults USE_NATIVE_CATEGORICAL to "true". The fix: train in
 * risk-table mode (dagtest.yaml `nodes.LightGBMTraining.env`).
 */
const RISK_TABLE_MODE = `
    env: {USE_NATIVE_CATEGORICAL: "false"}`;

let python = "";
let dir = "";

function run(): { result: RunResult; plan: Plan; status: number } {
  const out = spawnSync(process.execPath, [cliPath, "run", "--json"], {
    cwd: dir,
    env: cliEnv(),
    encoding: "utf8",
    timeout: 300_000,
  });
  expect(out.stdout, out.stderr).toContain("{");
  const result = JSON.parse(out.stdout) as RunResult;
  const record = JSON.parse(readFileSync(path.join(result.runDir, "run.json"), "utf8")) as { plan: Plan };
  return { result, plan: record.plan, status: out.status ?? -1 };
}

function failure(result: RunResult, node: string): ScriptResult {
  const res = result.scriptResults[node]!;
  expect(res.status, `${node}: ${JSON.stringify(res.error)}`).toBe("failed");
  return res;
}

/**
 * The project's config covers the nodes of lightgbm/complete_e2e only; for the larger DAG a user
 * has the entries of the other steps too: written here from their siblings, as cursus would.
 */
function addPercentileEntries(dir: string): void {
  const file = path.join(dir, "pipeline_config/config.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as {
    configuration: { specific: Record<string, Record<string, unknown>> };
    metadata: { config_types: Record<string, string> };
  };
  const specific = config.configuration.specific;
  const add = (name: string, from: string, type: string, fields: Record<string, unknown>) => {
    specific[name] = { ...structuredClone(specific[from]!), ...fields, __model_type__: type };
    config.metadata.config_types[name] = type;
  };
  const evaluation = "XGBoostModelEval_calibration";
  add("CradleDataLoading_testing", "CradleDataLoading_calibration", "CradleDataLoadingConfig", {
    job_type: "testing",
  });
  add("TabularPreprocessing_testing", "TabularPreprocessing_calibration", "TabularPreprocessingConfig", {
    job_type: "testing",
  });
  add("LightGBMModelInference_testing", evaluation, "LightGBMModelInferenceConfig", {
    job_type: "testing",
    processing_entry_point: "lightgbm_model_inference.py",
  });
  add("ModelMetricsComputation_testing", evaluation, "ModelMetricsComputationConfig", {
    job_type: "testing",
    processing_entry_point: "model_metrics_computation.py",
  });
  add("ModelWikiGenerator", "Package", "ModelWikiGeneratorConfig", {
    processing_entry_point: "model_wiki_generator.py",
    model_name: "ab_lightgbm",
  });
  add(
    "PercentileModelCalibration_calibration",
    "ModelCalibration_calibration",
    "PercentileModelCalibrationConfig",
    { processing_entry_point: "percentile_model_calibration.py" },
  );
  writeFileSync(file, JSON.stringify(config, null, 1));
}

describe.skipIf(!present)("the real ab_lightgbm project, unedited", () => {
  beforeAll(async () => {
    python = execFileSync("bash", [path.join(repoRoot, "scripts/corpus-venv.sh")], {
      encoding: "utf8",
      timeout: 900_000,
    }).trim();
    await buildCli();
    dir = tempDir();
    cpSync(project, dir, { recursive: true });
    cpSync(
      path.join(cursusRoot, "src/cursus/pipeline_catalog/shared_dags/lightgbm/complete_e2e.dag.json"),
      path.join(dir, "complete_e2e.dag.json"),
    );
    execFileSync(python, [
      path.join(repoRoot, "tests/corpus/make_phantom_data.py"),
      dir,
      path.join(dir, "data"),
    ]);
    writeFileSync(path.join(dir, "dagtest.yaml"), userSpec(python));
  }, 900_000);
  afterAll(removeTempDirs);

  it("plans as cursus would: scripts, phantoms with reasons, every wire with its score, env, args", () => {
    const out = spawnSync(process.execPath, [cliPath, "plan", "--json"], {
      cwd: dir,
      env: cliEnv(),
      encoding: "utf8",
    });
    expect(out.status, out.stderr).toBe(0);
    const plan = JSON.parse(out.stdout) as Plan;
    expect(plan.summary).toMatchObject({ scripts: 7, phantoms: 3, errors: 0, questions: 0, ready: true });
    const phantoms = Object.fromEntries(
      plan.nodes.filter((n) => n.kind === "phantom").map((n) => [n.name, n.reason]),
    );
    expect(phantoms).toEqual({
      CradleDataLoading_training: "not-processing-or-training",
      CradleDataLoading_calibration: "not-processing-or-training",
      Registration: "not-processing-or-training",
    });
    const wires = plan.wires.map(
      (w) => `${w.from.node}.${w.from.port} -> ${w.to.node}.${w.to.port} ${w.score?.toFixed(2)}`,
    );
    expect(wires.sort()).toEqual(
      [
        "CradleDataLoading_training.DATA -> TabularPreprocessing_training.DATA 1.00",
        "CradleDataLoading_training.SIGNATURE -> TabularPreprocessing_training.SIGNATURE 1.00",
        "CradleDataLoading_calibration.DATA -> TabularPreprocessing_calibration.DATA 1.00",
        "CradleDataLoading_calibration.SIGNATURE -> TabularPreprocessing_calibration.SIGNATURE 1.00",
        "TabularPreprocessing_training.processed_data -> LightGBMTraining.input_path 0.81",
        "LightGBMTraining.model_output -> LightGBMModelEval_calibration.model_input 1.00",
        "TabularPreprocessing_calibration.processed_data -> LightGBMModelEval_calibration.processed_data 1.00",
        "LightGBMTraining.model_output -> Payload.model_input 1.00",
        "LightGBMTraining.evaluation_output -> Payload.custom_payload_input 0.54",
        "LightGBMModelEval_calibration.eval_output -> ModelCalibration_calibration.evaluation_data 1.00",
        "LightGBMTraining.model_output -> Package.model_input 0.82",
        "ModelCalibration_calibration.calibration_output -> Package.calibration_model 1.00",
        "Package.packaged_model -> Registration.PackagedModel 1.00",
        "Payload.payload_sample -> Registration.GeneratedPayloadSamples 0.81",
      ].sort(),
    );
    // DATA_SECONDARY's best match (DATA) already feeds DATA: it stays unwired, never METADATA.
    const script = (name: string) => plan.nodes.find((n) => n.name === name) as ScriptNode;
    const tabular = script("TabularPreprocessing_training");
    expect(tabular.inputs.find((i) => i.name === "DATA_SECONDARY")?.provision).toEqual({ kind: "none" });
    for (const node of plan.nodes.filter((n): n is ScriptNode => n.kind === "script"))
      expect(
        node.env.find((e) => e.name === "USE_SECURE_PYPI"),
        node.name,
      ).toMatchObject({ value: "false", source: { kind: "engine" } });
    expect(tabular.env.find((e) => e.name === "LABEL_FIELD")).toMatchObject({
      value: "is_abuse",
      source: { kind: "config", field: "label_name" },
    });
    expect(tabular.jobArgs).toEqual([
      {
        flag: "--job_type",
        attr: "job_type",
        value: "training",
        source: { kind: "config", field: "job_type" },
      },
    ]);
    const training = script("LightGBMTraining");
    expect(training.env.find((e) => e.name === "REGION")).toMatchObject({
      value: "NA",
      source: { kind: "config", field: "region" },
    });
    // The interface names hyperparameters.json; the script's __main__ passes its folder.
    expect(training.inputs.find((i) => i.name === "hyperparameters_s3_uri")).toMatchObject({
      provision: { kind: "code-dir", path: path.join(dir, "dockers/hyperparams") },
      binding: { rule: "script-main", mainPath: "/opt/ml/code/hyperparams" },
    });
    // Fallback keys and cloud env reads are not disagreements.
    expect(plan.problems.filter((p) => p.code === "DAGTEST_UNDECLARED_INPUT")).toEqual([]);
    expect(plan.problems.filter((p) => p.code === "DAGTEST_UNDECLARED_ENV")).toEqual([]);
  });

  it("run unmodified: each of the project's own bugs on its node, with file and line", () => {
    let { result } = run();
    expect(result.scriptResults.TabularPreprocessing_training?.status).toBe("passed");
    let failed = failure(result, "LightGBMTraining");
    expect(failed.error).toMatchObject({ type: "ImportError", phase: "import" });
    expect(failed.error?.frames.at(-1)).toMatchObject({
      file: path.join(dir, "dockers/hyperparams/hyperparameters_lightgbm.py"),
      line: 4,
    });
    expect(result.scriptResults.Package?.status).toBe("skipped");

    FIXES.relativeImport(dir);
    ({ result } = run());
    failed = failure(result, "LightGBMTraining");
    expect(failed.error).toMatchObject({ type: "FileNotFoundError", phase: "main" });
    expect(failed.error?.message).toContain(path.join(dir, "dockers/hyperparams/hyperparameters_NA.json"));
    expect(failed.error?.frames.at(-1)).toMatchObject({
      file: path.join(dir, "dockers/lightgbm_training.py"),
      line: 500,
    });
    // The script probed /opt/ml/code first: mapped to its own code dir, never the machine's /opt/ml.
    expect(failed.guardEvents).toContainEqual({
      guard: "container-path",
      detail: `/opt/ml/code -> ${path.join(dir, "dockers")}`,
    });

    FIXES.regionHyperparameters(dir);
    ({ result } = run());
    expect(result.scriptResults.LightGBMTraining?.status).toBe("passed");
    failed = failure(result, "LightGBMModelEval_calibration");
    expect(failed.error?.type).toBe("FileNotFoundError");
    expect(failed.error?.message).toContain("risk_table_map.pkl");
    expect(failed.error?.frames.at(-1)).toMatchObject({
      file: path.join(dir, "dockers/scripts/lightgbm_model_eval.py"),
      line: 633,
    });
  }, 600_000);

  it("with the user's fixes applied, every script of the project passes", () => {
    writeFileSync(path.join(dir, "dagtest.yaml"), userSpec(python, RISK_TABLE_MODE));
    const { result, status } = run();
    const statuses = Object.fromEntries(Object.entries(result.scriptResults).map(([n, r]) => [n, r.status]));
    expect(status, JSON.stringify(statuses)).toBe(0);
    for (const name of [
      "TabularPreprocessing_training",
      "TabularPreprocessing_calibration",
      "LightGBMTraining",
      "LightGBMModelEval_calibration",
      "Payload",
      "ModelCalibration_calibration",
      "Package",
    ])
      expect(["passed", "cached"], name).toContain(statuses[name]);
    expect(existsSync(path.join(result.runDir, "Package/out/packaged_model/model.tar.gz"))).toBe(true);
    expect(result.dataFlowResults.every((f) => f.ok)).toBe(true);
  }, 600_000);
});

describe.skipIf(!present)(
  "the real ab_lightgbm project on lightgbm/complete_e2e_with_percentile_calibration",
  () => {
    beforeAll(async () => {
      python = execFileSync("bash", [path.join(repoRoot, "scripts/corpus-venv.sh")], {
        encoding: "utf8",
        timeout: 900_000,
      }).trim();
      await buildCli();
      dir = tempDir();
      cpSync(project, dir, { recursive: true });
      const dag =
        "src/cursus/pipeline_catalog/shared_dags/lightgbm/complete_e2e_with_percentile_calibration.dag.json";
      cpSync(path.join(cursusRoot, dag), path.join(dir, "complete_e2e.dag.json"));
      execFileSync(python, [
        path.join(repoRoot, "tests/corpus/make_phantom_data.py"),
        dir,
        path.join(dir, "data"),
      ]);
      addPercentileEntries(dir);
      const testing =
        "\n  CradleDataLoading_testing:\n    outputs: {DATA: data/testing/data, SIGNATURE: data/testing/signature, METADATA: data/testing/metadata}";
      writeFileSync(
        path.join(dir, "dagtest.yaml"),
        `${userSpec(python, RISK_TABLE_MODE) + testing.slice(1)}\n`,
      );
      FIXES.relativeImport(dir);
      FIXES.regionHyperparameters(dir);
    }, 900_000);
    afterAll(removeTempDirs);

    it("runs inference, percentile calibration and metrics; the metrics script's own bug on its line", () => {
      let { result } = run();
      const passed = (name: string) =>
        expect(["passed", "cached"], name).toContain(result.scriptResults[name]?.status);
      for (const name of [
        "LightGBMModelInference_testing",
        "PercentileModelCalibration_calibration",
        "Package",
        "Payload",
      ])
        passed(name);
      // main validates with validate_prediction_columns, whose summary has no prediction_columns.
      const failed = failure(result, "ModelMetricsComputation_testing");
      expect(failed.error?.type).toBe("KeyError");
      expect(failed.error?.frames.at(-1)).toMatchObject({
        file: path.join(dir, "dockers/scripts/model_metrics_computation.py"),
        line: 1547,
      });
      expect(result.scriptResults.ModelWikiGenerator?.status).toBe("skipped");

      // The user's fix: read the keys the multi-task summary has.
      const file = path.join(dir, "dockers/scripts/model_metrics_computation.py");
      writeFileSync(
        file,
        readFileSync(file, "utf8")
          .replace(
            "data_summary['prediction_columns']",
            "data_summary.get('prediction_columns', data_summary.get('score_columns', []))",
          )
          .replace("data_summary['has_amount_data']", "data_summary.get('has_amount_data', False)"),
      );
      ({ result } = run());
      for (const [name, res] of Object.entries(result.scriptResults))
        if (res.status !== "skipped")
          expect(["passed", "cached"], `${name}: ${JSON.stringify(res.error)}`).toContain(res.status);
      expect(
        Object.values(result.scriptResults).filter((r) => r.status === "passed" || r.status === "cached"),
      ).toHaveLength(11);
    }, 600_000);
  },
);

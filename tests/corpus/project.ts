/** The real ab_lightgbm project as a user sets it up for dagtest (tests/corpus). */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { Plan } from "../../src/model/plan.js";
import type { RunResult, ScriptResult } from "../../src/model/run.js";
import { buildCli, runCli } from "../helpers/cli.js";
import { cursusRoot, repoRoot, tempDir } from "../helpers/paths.js";

export const project = path.join(cursusRoot, "projects/ab_lightgbm");
export const present = existsSync(path.join(project, "dockers"));
if (!present)
  console.warn("../shared/cursus/projects/ab_lightgbm not found: skipping the real-project tests");

/** The shared DAGs the tests run the project on (cursus's pipeline_catalog, lightgbm/). */
export type CorpusDag = "complete_e2e" | "complete_e2e_with_percentile_calibration";

/**
 * The project as a user starts with it: the corpus venv (scripts/corpus-venv.sh, cached outside
 * the clone), the built CLI, a copy of the project in a temp folder with `dag` as its
 * complete_e2e.dag.json and, unless `phantomData` is false, make_phantom_data.py's hand-made data
 * behind the Cradle phantoms under data/. Returns the copy's folder and the corpus interpreter.
 */
export async function setUpProject(
  dag: CorpusDag,
  { phantomData = true } = {},
): Promise<{ dir: string; python: string }> {
  const python = execFileSync("bash", [path.join(repoRoot, "scripts/corpus-venv.sh")], {
    encoding: "utf8",
    timeout: 900_000,
  }).trim();
  await buildCli();
  const dir = tempDir();
  cpSync(project, dir, { recursive: true });
  const dags = path.join(cursusRoot, "src/cursus/pipeline_catalog/shared_dags/lightgbm");
  cpSync(path.join(dags, `${dag}.dag.json`), path.join(dir, "complete_e2e.dag.json"));
  const makeData = path.join(repoRoot, "tests/corpus/make_phantom_data.py");
  if (phantomData) execFileSync(python, [makeData, dir, path.join(dir, "data")]);
  return { dir, python };
}

/** What a user writes into dagtest.yaml for this project, and nothing more. */
export function userSpec(python: string, extra = ""): string {
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
export const FIXES = {
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
export const RISK_TABLE_MODE = `
    env: {USE_NATIVE_CATEGORICAL: "false"}`;

/** `dagtest plan --json` in the project folder, which must exit 0; the plan. */
export function planJson(dir: string): Plan {
  const out = runCli(["plan", "--json"], dir);
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as Plan;
}

/** `dagtest run --json` in the project folder, as a user would; the result and the run's plan. */
export function run(dir: string): { result: RunResult; plan: Plan; status: number } {
  const out = runCli(["run", "--json"], dir, 300_000);
  expect(out.stdout, out.stderr).toContain("{");
  const result = JSON.parse(out.stdout) as RunResult;
  const record = JSON.parse(readFileSync(path.join(result.runDir, "run.json"), "utf8")) as { plan: Plan };
  return { result, plan: record.plan, status: out.status ?? -1 };
}

export function failure(result: RunResult, node: string): ScriptResult {
  const res = result.scriptResults[node]!;
  expect(res.status, `${node}: ${JSON.stringify(res.error)}`).toBe("failed");
  return res;
}

/** The project's first own bug, as a run meets it: training's relative import above its package. */
export function expectRelativeImportBug(result: RunResult, dir: string): void {
  expect(result.scriptResults.TabularPreprocessing_training?.status).toBe("passed");
  const training = failure(result, "LightGBMTraining");
  expect(training.error).toMatchObject({ type: "ImportError", phase: "import" });
  expect(training.error?.frames.at(-1)).toMatchObject({
    file: path.join(dir, "dockers/hyperparams/hyperparameters_lightgbm.py"),
    line: 4,
  });
}

/**
 * The project's config covers the nodes of lightgbm/complete_e2e only; for the larger DAG a user
 * has the entries of the other steps too: written here from their siblings, as cursus would.
 */
export function addPercentileEntries(dir: string): void {
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

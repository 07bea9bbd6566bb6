/**
 * The development corpus: the real ab_lightgbm project (../shared/cursus/projects/ab_lightgbm),
 * its scripts unedited, planned and run through the built CLI as a user would, with only what a
 * user writes (the data behind the two phantom sources, the source-dir remap and the mapping of
 * the config's XGBoost-keyed entries to the LightGBM nodes). Every failure must be the project's
 * own, on the right node with file and line; with the fixes a user would make (each a minimal,
 * documented edit, applied to a copy), every script passes. Skipped, with a visible message,
 * where ../shared is absent.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScriptNode } from "../../src/model/plan.js";
import { runCli } from "../helpers/cli.js";
import { removeTempDirs } from "../helpers/paths.js";
import {
  addPercentileEntries,
  expectRelativeImportBug,
  FIXES,
  failure,
  planJson,
  present,
  RISK_TABLE_MODE,
  run,
  setUpProject,
  userSpec,
} from "./project.js";

let python = "";
let dir = "";

describe.skipIf(!present)("the real ab_lightgbm project, unedited", () => {
  beforeAll(async () => {
    ({ dir, python } = await setUpProject("complete_e2e"));
    writeFileSync(path.join(dir, "dagtest.yaml"), userSpec(python));
  }, 900_000);
  afterAll(removeTempDirs);

  it("plans as cursus would: scripts, phantoms with reasons, every wire with its score, env, args", () => {
    const plan = planJson(dir);
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
    // Signal, not noise: the cloud env reads are one note line; --verbose lists each.
    const text = runCli(["plan"], dir);
    expect(text.stdout).toMatch(
      /note \d+ finding\(s\) on \d+ node\(s\) need nothing from you \(DAGTEST_CLOUD_ENV\)/,
    );
    expect(text.stdout).not.toContain("SECURE_PYPI_DOMAIN");
    const verbose = runCli(["plan", "--verbose"], dir);
    expect(verbose.stdout).toContain("reads env SECURE_PYPI_DOMAIN");
    expect(text.stdout.match(/^ {2}warning /gm)?.length).toBe(plan.summary.warnings);
    // Fallback keys and cloud env reads are not disagreements.
    expect(plan.problems.filter((p) => p.code === "DAGTEST_UNDECLARED_INPUT")).toEqual([]);
    expect(plan.problems.filter((p) => p.code === "DAGTEST_UNDECLARED_ENV")).toEqual([]);
  });

  it("run unmodified: each of the project's own bugs on its node, with file and line", () => {
    let { result } = run(dir);
    expectRelativeImportBug(result, dir);
    expect(result.scriptResults.Package?.status).toBe("skipped");

    FIXES.relativeImport(dir);
    ({ result } = run(dir));
    let failed = failure(result, "LightGBMTraining");
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
    ({ result } = run(dir));
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
    const { result, status } = run(dir);
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
      ({ dir, python } = await setUpProject("complete_e2e_with_percentile_calibration"));
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
      let { result } = run(dir);
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
      ({ result } = run(dir));
      for (const [name, res] of Object.entries(result.scriptResults))
        if (res.status !== "skipped")
          expect(["passed", "cached"], `${name}: ${JSON.stringify(res.error)}`).toContain(res.status);
      expect(
        Object.values(result.scriptResults).filter((r) => r.status === "passed" || r.status === "cached"),
      ).toHaveLength(11);
    }, 600_000);
  },
);

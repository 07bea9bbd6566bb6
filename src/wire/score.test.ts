import { describe, expect, it } from "vitest";
import { interfaceInput as dep, interfaceOutput as out } from "../../tests/helpers/interfaces.js";
import { isCompatibleSource, scoreCompatibility, WIRE_THRESHOLD } from "./score.js";

// Expected scores are computed by hand from cursus's `_calculate_compatibility` (see score.ts);
// the name similarities come from semantic.test.ts-style hand calculations.

/** A space-separated list, to keep long YAML lists on one line. */
const words = (list: string): string[] => list.split(" ");

// --- Real declarations (cursus steps/interfaces/*.step.yaml, base specs) ---

const tabularProcessedData = out({
  name: "processed_data",
  aliases: words(
    "input_path training_data model_input_data input_data validation_data testing_data calibration_data processed_training_data processed_validation_data processed_testing_data processed_calibration_data",
  ),
});

const xgbTrainingInputPath = dep({
  name: "input_path",
  type: "training_data",
  compatibleSources: words(
    "TabularPreprocessing BedrockProcessing StratifiedSampling RiskTableMapping MissingValueImputation LabelRulesetExecution ProcessingStep DataLoad PyTorchModelInference",
  ),
  semanticKeywords: ["data", "input", "training", "dataset", "processed", "train", "tabular", "embedding"],
});

const xgbTrainingModelArtifactsInput = dep({
  name: "model_artifacts_input",
  required: false,
  compatibleSources: ["XGBoostTraining", "MissingValueImputation", "RiskTableMapping", "FeatureSelection"],
  semanticKeywords: words("artifacts model_artifacts preprocessing imputation risk_tables pretrained"),
});

// ModelCalibration lists 15 compatible sources; four of them are enough here.
const calibrationEvaluationData = dep({
  name: "evaluation_data",
  compatibleSources: ["XGBoostTraining", "XGBoostModelEval", "PyTorchTraining", "PyTorchModelEval"],
  semanticKeywords: words(
    "evaluation predictions scores results model_output performance inference output_data prediction_results",
  ),
});

const evalOutput = out({
  name: "eval_output",
  aliases: words(
    "inference_output predictions model_predictions inference_results prediction_data evaluation_data",
  ),
});

const trainingEvaluationOutput = out({
  name: "evaluation_output",
  aliases: ["evaluation_data", "eval_data", "validation_output", "test_output", "prediction_results"],
});

const evalModelInput = dep({
  name: "model_input",
  type: "model_artifacts",
  compatibleSources: ["XGBoostTraining"],
});

describe("scoreCompatibility on real cursus declarations", () => {
  it("wires XGBoostTraining.input_path from TabularPreprocessing.processed_data", () => {
    // type training_data ~ processing_output +0.2; S3Uri = S3Uri +0.2; alias 'input_path' gives
    // similarity 1 → +0.25; exact alias +0.05; TabularPreprocessing listed +0.1;
    // keywords 'data' and 'processed' in 'processed_data' → 2/8 · 0.05 = 0.0125. Total 0.8125.
    const result = scoreCompatibility(xgbTrainingInputPath, tabularProcessedData, "TabularPreprocessing");
    expect(result.score).toBe(0.8125);
    expect(result.score).toBeGreaterThan(WIRE_THRESHOLD);
    expect(result.breakdown).toEqual({
      type: 0.2,
      dataType: 0.2,
      name: 0.25,
      exactName: 0.05,
      sources: 0.1,
      keywords: 0.0125,
    });
    expect(result.reasons).toEqual([
      "type training_data ~ processing_output (+0.20)",
      "data type S3Uri = S3Uri (+0.20)",
      "name 'input_path' ~ 'input_path' 1.00 (+0.25)",
      "'input_path' is an alias of processed_data (+0.05)",
      "provider TabularPreprocessing is a compatible source (+0.10)",
      "keywords 2/8 in output name (+0.01)",
    ]);
  });

  it("reproduces cursus's 0.645 for XGBoostTraining.model_artifacts_input ← processed_data", () => {
    // The reference (§6.7 W3) saw cursus pick this edge at 0.645. Type +0.4, data type +0.2;
    // best name is alias 'model_input_data' at 0.58116 → +0.14529; no exact match;
    // TabularPreprocessing not listed −0.1; no keyword in 'processed_data'. 0.64529 → 0.6453.
    const result = scoreCompatibility(
      xgbTrainingModelArtifactsInput,
      tabularProcessedData,
      "TabularPreprocessing",
    );
    expect(result.score).toBe(0.6453);
    expect(result.breakdown.sources).toBe(-0.1);
    expect(result.reasons).toContain("name 'model_artifacts_input' ~ 'model_input_data' 0.58 (+0.15)");
    expect(result.reasons).toContain("provider TabularPreprocessing not in compatible_sources (-0.10)");
  });

  it("prefers XGBoostModelEval.eval_output for ModelCalibration when only the eval step is listed", () => {
    const onlyEval = dep({ ...calibrationEvaluationData, compatibleSources: ["XGBoostModelEval"] });
    // Both outputs carry the alias 'evaluation_data' (similarity 1, +0.25, exact +0.05).
    // eval_output: 0.4 + 0.2 + 0.25 + 0.05 + 0.1 + 0 keywords = 1.0.
    // evaluation_output: same but −0.1 (not listed) and 'evaluation' in the name → 1/9 · 0.05:
    // 0.4 + 0.2 + 0.25 + 0.05 − 0.1 + 0.00556 = 0.80556 → 0.8056.
    const fromEval = scoreCompatibility(onlyEval, evalOutput, "XGBoostModelEval");
    const fromTraining = scoreCompatibility(onlyEval, trainingEvaluationOutput, "XGBoostTraining");
    expect(fromEval.score).toBe(1);
    expect(fromTraining.score).toBe(0.8056);
    expect(fromEval.score).toBeGreaterThan(fromTraining.score);
  });

  it("ties at the cap when both providers are listed (cursus's W3 mis-wiring)", () => {
    // evaluation_output: 1.0 + 0.00556 → capped to 1, same as eval_output.
    const fromEval = scoreCompatibility(calibrationEvaluationData, evalOutput, "XGBoostModelEval");
    const fromTraining = scoreCompatibility(
      calibrationEvaluationData,
      trainingEvaluationOutput,
      "XGBoostTraining",
    );
    expect(fromEval.score).toBe(1);
    expect(fromTraining.score).toBe(1);
    expect(fromTraining.reasons.at(-1)).toBe("capped at 1.0 (raw 1.0056)");
  });

  it("is 0 when the dependency types are incompatible", () => {
    const result = scoreCompatibility(evalModelInput, tabularProcessedData, "TabularPreprocessing");
    expect(result.score).toBe(0);
    expect(result.breakdown).toEqual({
      type: 0,
      dataType: 0,
      name: 0,
      exactName: 0,
      sources: 0,
      keywords: 0,
    });
    expect(result.reasons).toEqual(["type model_artifacts incompatible with processing_output"]);
  });
});

describe("scoreCompatibility components", () => {
  it("gives +0.2 for a compatible type and +0.1 for S3Uri ↔ String", () => {
    // 'report' vs 'summary': only one 'r' matches → ratio 2/13 → 0.3 · 0.1538 = 0.04615;
    // name part 0.25 · 0.04615 = 0.01154. No sources declared → +0.05. No keywords.
    // 0.2 + 0.1 + 0.01154 + 0.05 = 0.36154 → 0.3615.
    const result = scoreCompatibility(
      dep({ name: "report", dataType: "String" }),
      out({ name: "summary", type: "training_data" }),
      "Anything",
    );
    expect(result.breakdown.type).toBe(0.2);
    expect(result.breakdown.dataType).toBe(0.1);
    expect(result.breakdown.sources).toBe(0.05);
    expect(result.score).toBe(0.3615);
    expect(result.reasons).toContain("data type String ~ S3Uri (+0.10)");
    expect(result.reasons).toContain("no compatible_sources declared (+0.05)");
  });

  it("gives nothing for incompatible data types but still scores the rest", () => {
    const result = scoreCompatibility(dep({ name: "x", dataType: "Integer" }), out({ name: "x" }), "P");
    expect(result.breakdown.dataType).toBe(0);
    // 0.4 + 0 + 0.25 + 0.05 (exact name) + 0.05 (no sources) = 0.75
    expect(result.score).toBe(0.75);
    expect(result.reasons).toContain("exact name 'x' (+0.05)");
    expect(result.reasons.some((reason) => reason.startsWith("data type"))).toBe(false);
  });

  it("treats Integer ↔ Float as compatible data types", () => {
    const result = scoreCompatibility(
      dep({ name: "x", dataType: "Float" }),
      out({ name: "x", dataType: "Integer" }),
      "P",
    );
    expect(result.breakdown.dataType).toBe(0.1);
  });

  it("gives the exact-name bonus for an alias only on a case-sensitive match", () => {
    const output = out({ name: "DATA", aliases: ["input_data"] });
    expect(scoreCompatibility(dep({ name: "input_data" }), output, "P").breakdown.exactName).toBe(0.05);
    const upper = scoreCompatibility(dep({ name: "INPUT_DATA" }), output, "P");
    expect(upper.breakdown.exactName).toBe(0);
    expect(upper.breakdown.name).toBe(0.25); // normalisation still makes them equal
  });

  it("scores the keyword fraction against the output name only, case-insensitively", () => {
    const output = out({ name: "Model_Predictions", aliases: ["metrics"] });
    // 'model' and 'predictions' match; 'metrics' is only an alias; 'scores' absent → 2/4 · 0.05.
    const result = scoreCompatibility(
      dep({ name: "q", semanticKeywords: ["MODEL", "predictions", "metrics", "scores"] }),
      output,
      "P",
    );
    expect(result.breakdown.keywords).toBe(0.025);
    expect(result.reasons).toContain("keywords 2/4 in output name (+0.03)");
  });

  it("caps the score at 1 (TabularPreprocessing.DATA ← CradleDataLoading.DATA)", () => {
    // 0.4 + 0.2 + 0.25 + 0.05 + 0.1 + 1/10 · 0.05 = 1.005 → 1.
    const result = scoreCompatibility(
      dep({
        name: "DATA",
        compatibleSources: ["CradleDataLoading", "DummyDataLoading"],
        semanticKeywords: words(
          "data input raw dataset source tabular training validation testing calibration",
        ),
      }),
      out({ name: "DATA", aliases: ["input_data", "training_data", "processed_data"] }),
      "CradleDataLoading",
    );
    expect(result.score).toBe(1);
    expect(result.breakdown.keywords).toBeCloseTo(0.005, 12);
    expect(result.reasons.at(-1)).toBe("capped at 1.0 (raw 1.0050)");
  });
});

describe("compatible sources", () => {
  const withSources = (compatibleSources: readonly string[]) =>
    dep({ name: "input_path", compatibleSources });

  it("adds 0.1 when listed and subtracts 0.1 when not", () => {
    // Same as the first real case, with the source part flipped: 0.8125 − 0.2 = 0.6125.
    const unlisted = scoreCompatibility(xgbTrainingInputPath, tabularProcessedData, "CradleDataLoading");
    expect(unlisted.breakdown.sources).toBe(-0.1);
    expect(unlisted.score).toBe(0.6125);
    const listed = scoreCompatibility(
      withSources(["TabularPreprocessing"]),
      tabularProcessedData,
      "TabularPreprocessing",
    );
    expect(listed.breakdown.sources).toBe(0.1);
  });

  it("drops the provider's job-type suffix", () => {
    const result = scoreCompatibility(
      xgbTrainingInputPath,
      tabularProcessedData,
      "TabularPreprocessing_Training",
    );
    expect(result.score).toBe(0.8125);
  });

  it("matches a trailing `Step` on either side", () => {
    expect(isCompatibleSource("Payload", ["PayloadStep"])).toBe(true);
    expect(isCompatibleSource("PayloadStep", ["Payload"])).toBe(true);
    expect(isCompatibleSource("Processing", ["ProcessingStep"])).toBe(true);
    expect(isCompatibleSource("Package", ["PackagingStep"])).toBe(false);
    const result = scoreCompatibility(withSources(["PayloadStep"]), tabularProcessedData, "Payload");
    expect(result.reasons).toContain("provider Payload is a compatible source (+0.10)");
  });

  it("matches legacy step names", () => {
    expect(isCompatibleSource("Package", ["MIMSPackaging"])).toBe(true);
    expect(isCompatibleSource("Payload", ["MIMSPayload"])).toBe(true);
    expect(isCompatibleSource("Registration", ["ModelRegistration"])).toBe(true);
    expect(isCompatibleSource("PyTorchTraining", ["PytorchTraining"])).toBe(true);
    expect(isCompatibleSource("PytorchModel", ["PyTorchModel"])).toBe(true);
  });

  it("is exact otherwise: case-sensitive, and job-qualified entries do not match a base type", () => {
    expect(isCompatibleSource("tabularpreprocessing", ["TabularPreprocessing"])).toBe(false);
    expect(isCompatibleSource("FeatureSelection", ["FeatureSelection_Training"])).toBe(false);
    expect(isCompatibleSource("TabularPreprocessing", ["TabularPreprocessing-Training"])).toBe(false);
  });
});

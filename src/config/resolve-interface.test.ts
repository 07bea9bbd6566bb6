import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cursusRoot } from "../../tests/helpers/paths.js";
import type { InterfaceInput } from "../model/interface.js";
import { loadInterfaceRegistry, type RawInterface } from "./interfaces.js";
import { deepMerge, mergeVariant, resolveInterface } from "./resolve-interface.js";

function raw(stepType: string, doc: Record<string, unknown>): RawInterface {
  return {
    stepType,
    file: `/ifaces/${stepType}.step.yaml`,
    doc: { step_type: stepType, ...doc },
    shadowed: [],
  };
}

function input(inputs: readonly InterfaceInput[], name: string): InterfaceInput {
  const found = inputs.find((i) => i.name === name);
  if (!found) throw new Error(`no input ${name} among ${inputs.map((i) => i.name).join(", ")}`);
  return found;
}

/** A trimmed RiskTableMapping: non-training variants make model_artifacts_input required. */
const RISK_TABLE_MAPPING = raw("RiskTableMapping", {
  registry: { sagemaker_step_type: "Processing" },
  contract: {
    entry_point: "risk_table_mapping.py",
    inputs: {
      data_input: { path: "/opt/ml/processing/input/data", required: true },
      model_artifacts_input: { path: "/opt/ml/processing/input/model_artifacts", required: false },
    },
    outputs: { processed_data: { path: "/opt/ml/processing/output" } },
  },
  spec: {
    dependencies: {
      data_input: { type: "processing_output", required: true, semantic_keywords: ["data"] },
      model_artifacts_input: {
        type: "processing_output",
        required: false,
        compatible_sources: ["RiskTableMapping_Training", "ProcessingStep"],
        semantic_keywords: ["risk_tables"],
      },
    },
    outputs: { processed_data: { type: "processing_output", aliases: ["input_path"] } },
  },
  variants: {
    training: { spec: { dependencies: { model_artifacts_input: { required: false } } } },
    Calibration: {
      step_type: "RiskTableMapping_Calibration",
      spec: {
        dependencies: {
          model_artifacts_input: { required: true, compatible_sources: ["RiskTableMapping_Training"] },
        },
      },
    },
  },
});

describe("variants", () => {
  it("deep-merges the calibration variant: model_artifacts_input becomes required", () => {
    const iface = resolveInterface(RISK_TABLE_MAPPING, "calibration");
    expect(iface.variant).toBe("Calibration");
    const dep = input(iface.inputs, "model_artifacts_input");
    expect(dep.required).toBe(true);
    // Lists are replaced, untouched keys survive the merge.
    expect(dep.compatibleSources).toEqual(["RiskTableMapping_Training"]);
    expect(dep.semanticKeywords).toEqual(["risk_tables"]);
    expect(dep.type).toBe("processing_output");
    expect(input(iface.inputs, "data_input").required).toBe(true);
  });

  it("uses the training variant for training and the base for an unknown job type", () => {
    const training = resolveInterface(RISK_TABLE_MAPPING, "training");
    expect(training.variant).toBe("training");
    expect(input(training.inputs, "model_artifacts_input").required).toBe(false);
    const testing = resolveInterface(RISK_TABLE_MAPPING, "testing");
    expect(testing.variant).toBeNull();
    expect(input(testing.inputs, "model_artifacts_input").compatibleSources).toEqual([
      "RiskTableMapping_Training",
      "ProcessingStep",
    ]);
    expect(resolveInterface(RISK_TABLE_MAPPING, null).variant).toBeNull();
  });

  it("merges only contract, spec and patterns; a variant's step_type label is ignored", () => {
    const { doc } = mergeVariant(RISK_TABLE_MAPPING, "CALIBRATION");
    expect(doc.step_type).toBe("RiskTableMapping");
    expect(resolveInterface(RISK_TABLE_MAPPING, "calibration").stepType).toBe("RiskTableMapping");
  });

  it("deepMerge merges objects key by key and replaces scalars and lists", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: { e: 2 } })).toEqual({
      a: { b: 1, c: [3] },
      d: { e: 2 },
    });
  });

  const real = path.join(cursusRoot, "src/cursus/steps/interfaces");
  it.skipIf(!existsSync(real))("applies cursus's real RiskTableMapping variants the same way", () => {
    const registry = loadInterfaceRegistry([real]);
    const rtm = registry.byKey.get("risktablemapping")!;
    const calibration = resolveInterface(rtm, "calibration");
    expect(calibration.variant).toBe("calibration");
    expect(input(calibration.inputs, "model_artifacts_input").required).toBe(true);
    expect(input(resolveInterface(rtm, "training").inputs, "model_artifacts_input").required).toBe(false);
  });
});

describe("inputs, outputs and channels", () => {
  const training = (inputs: Record<string, unknown>, sagemaker = "Training") =>
    resolveInterface(
      raw("SomeTraining", {
        registry: { sagemaker_step_type: sagemaker },
        contract: { inputs, outputs: {} },
      }),
      null,
    );

  it("keeps declared channels of a Training input", () => {
    const iface = training({ input_path: { path: "/opt/ml/input/data", channels: ["train", "val"] } });
    expect(input(iface.inputs, "input_path").channels).toEqual(["train", "val"]);
  });

  it("defaults input_path at the Training data root to train/val/test", () => {
    expect(
      input(training({ input_path: { path: "/opt/ml/input/data/" } }).inputs, "input_path").channels,
    ).toEqual(["train", "val", "test"]);
  });

  it("gives no channels to other Training inputs or to a Processing input_path", () => {
    const iface = training({ model_artifacts_input: { path: "/opt/ml/input/data/model_artifacts_input" } });
    expect(input(iface.inputs, "model_artifacts_input").channels).toEqual([]);
    const processing = training({ input_path: { path: "/opt/ml/input/data" } }, "Processing");
    expect(input(processing.inputs, "input_path").channels).toEqual([]);
  });

  it("takes `required` from the spec first, then the contract, then true", () => {
    const iface = resolveInterface(
      raw("X", {
        contract: {
          inputs: { a: { required: false }, b: { required: false }, c: {} },
          outputs: { out: { path: "/opt/ml/processing/output" } },
        },
        spec: { dependencies: { a: { required: true } }, outputs: {} },
      }),
      null,
    );
    expect(iface.inputs.map((i) => [i.name, i.required])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
    expect(iface.outputs).toEqual([
      {
        name: "out",
        containerPath: "/opt/ml/processing/output",
        type: "processing_output",
        dataType: "S3Uri",
        aliases: [],
        semanticKeywords: [],
      },
    ]);
  });

  it("reads config-sourced and skipped inputs, job arguments, env and requirements", () => {
    const iface = resolveInterface(
      raw("Dummy", {
        registry: { sagemaker_step_type: "Processing", requires: "none" },
        contract: {
          entry_point: "dummy.py",
          inputs: { INPUT_DATA: {}, calibration_config: { path: "/opt/ml/code/calibration" } },
          outputs: {},
          input_source_overrides: { INPUT_DATA: "get_data_source_uri" },
          skip_inputs: ["calibration_config"],
          job_arguments: [{ flag: "--job_type", source: "job_type" }, { flag: "--broken" }],
          env_vars: { required: ["LABEL_FIELD"], optional: { RATIO: 0.7, STREAM: true, EMPTY: null } },
          framework_requirements: { pandas: ">=1.3" },
        },
      }),
      null,
    );
    expect(input(iface.inputs, "INPUT_DATA").configSource).toBe("get_data_source_uri");
    expect(input(iface.inputs, "calibration_config").skipped).toBe(true);
    expect(iface.jobArguments).toEqual([{ flag: "--job_type", source: "job_type" }]);
    expect(iface.envRequired).toEqual(["LABEL_FIELD"]);
    expect(iface.envOptional).toEqual({ RATIO: "0.7", STREAM: "true" });
    expect(iface.frameworkRequirements).toEqual({ pandas: ">=1.3" });
    expect(iface.registryRequires).toBeNull();
    expect(iface.configClass).toBe("DummyConfig");
  });

  it("defaults the SageMaker step type to Processing and unknown port types to processing_output/S3Uri", () => {
    const iface = resolveInterface(
      raw("Odd", {
        contract: { inputs: { a: {} }, outputs: {} },
        spec: { dependencies: { a: { type: "nonsense", data_type: "Blob" } } },
      }),
      null,
    );
    expect(iface.sagemakerStepType).toBe("Processing");
    expect([iface.inputs[0]?.type, iface.inputs[0]?.dataType]).toEqual(["processing_output", "S3Uri"]);
    expect(iface.entryPoint).toBeNull();
  });
});

import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { rejection } from "../../tests/helpers/errors.js";
import { cursusRoot, removeTempDirs, tempDir, writeTree } from "../../tests/helpers/paths.js";
import { type InterfaceRegistry, loadInterfaceRegistry, matchStepType, variantKeys } from "./interfaces.js";

afterAll(removeTempDirs);

function step(stepType: string, extra: Record<string, unknown> = {}): string {
  return stringify({
    step_type: stepType,
    registry: { sagemaker_step_type: "Processing" },
    contract: { entry_point: `${stepType.toLowerCase()}.py`, inputs: {}, outputs: {} },
    ...extra,
  });
}

function registryOf(stepTypes: readonly string[]): InterfaceRegistry {
  const root = tempDir();
  writeTree(root, Object.fromEntries(stepTypes.map((t, i) => [`s${i}.step.yaml`, step(t)])));
  return loadInterfaceRegistry([root]);
}

describe("loadInterfaceRegistry", () => {
  it("finds *.step.yaml and *.step.yml in nested folders, keyed by step_type", () => {
    const root = writeTree(tempDir(), {
      "a.step.yaml": step("Alpha"),
      "nested/deeper/b.step.yml": step("BetaStep"),
      "notes.yaml": "step_type: NotAnInterface\n",
    });
    const registry = loadInterfaceRegistry([root]);
    expect([...registry.byKey.values()].map((i) => i.stepType).sort()).toEqual(["Alpha", "BetaStep"]);
    expect(registry.byKey.get("betastep")?.file).toBe(path.join(root, "nested/deeper/b.step.yml"));
  });

  it("lets an earlier root shadow a later one, and records what was shadowed", () => {
    const first = writeTree(tempDir(), { "package.step.yaml": step("Package", { node_type: "mine" }) });
    const second = writeTree(tempDir(), {
      "package.step.yaml": step("Package", { node_type: "theirs" }),
      "payload.step.yaml": step("Payload"),
    });
    const registry = loadInterfaceRegistry([first, second]);
    const pkg = registry.byKey.get("package")!;
    expect(pkg.file).toBe(path.join(first, "package.step.yaml"));
    expect(pkg.doc.node_type).toBe("mine");
    expect(pkg.shadowed).toEqual([path.join(second, "package.step.yaml")]);
    expect(registry.byKey.get("payload")?.file).toBe(path.join(second, "payload.step.yaml"));
    expect(registry.roots).toEqual([first, second]);
  });

  it("treats step types that differ only in case or separators as the same step", () => {
    const first = writeTree(tempDir(), { "x.step.yaml": step("XGBoostTraining") });
    const second = writeTree(tempDir(), { "y.step.yaml": step("Xgboost_Training") });
    const registry = loadInterfaceRegistry([first, second]);
    expect(registry.byKey.size).toBe(1);
    expect(registry.byKey.get("xgboosttraining")?.stepType).toBe("XGBoostTraining");
  });

  it("refuses a missing root, or a file given as a root → DAGTEST_INTERFACE_DIR_NOT_FOUND", () => {
    const root = tempDir();
    const missing = rejection(() => loadInterfaceRegistry([path.join(root, "nope")]));
    expect(missing.code).toBe("DAGTEST_INTERFACE_DIR_NOT_FOUND");
    expect(missing.location?.file).toBe(path.join(root, "nope"));
    writeTree(root, { "file.txt": "x" });
    expect(rejection(() => loadInterfaceRegistry([path.join(root, "file.txt")])).code).toBe(
      "DAGTEST_INTERFACE_DIR_NOT_FOUND",
    );
  });

  it("refuses an interface without step_type → DAGTEST_INTERFACE_INVALID, naming the file", () => {
    const root = writeTree(tempDir(), {
      "broken.step.yaml": "registry:\n  sagemaker_step_type: Processing\n",
    });
    const error = rejection(() => loadInterfaceRegistry([root]));
    expect(error.code).toBe("DAGTEST_INTERFACE_INVALID");
    expect(error.message).toContain("broken.step.yaml");
  });

  it("reports malformed interface YAML with its line", () => {
    const root = writeTree(tempDir(), { "bad.step.yaml": "step_type: Bad\ncontract:\n  inputs: [a\n" });
    const error = rejection(() => loadInterfaceRegistry([root]));
    expect(error.code).toBe("DAGTEST_PARSE_ERROR");
    expect(error.location?.file).toBe(path.join(root, "bad.step.yaml"));
    expect(error.location?.line).toBeGreaterThanOrEqual(3);
  });
});

describe("matchStepType", () => {
  const registry = registryOf([
    "XgboostMtTraining",
    "XGBoostTraining",
    "CradleDataLoading",
    "PyTorchModelInference",
    "PyTorchModel",
    "Foo",
    "FooBar",
  ]);
  const match = (node: string, fallback?: string) => {
    const found = matchStepType(node, registry, fallback);
    return found ? [found.stepType, found.suffix] : null;
  };

  it.each([
    ["XgboostMtTraining", "XgboostMtTraining", null],
    ["CradleDataLoading_munged", "CradleDataLoading", "munged"],
    ["PyTorchModelInference_embedding", "PyTorchModelInference", "embedding"],
    ["XGBoostTraining_pretrain", "XGBoostTraining", "pretrain"],
    ["PyTorchModel", "PyTorchModel", null],
  ])("%s → step type %s, suffix %s", (node, stepType, suffix) => {
    expect(match(node)).toEqual([stepType, suffix]);
  });

  it("takes the longest `_`-separated prefix that is a step type", () => {
    expect(match("Foo_Bar_training")).toEqual(["FooBar", "training"]);
    expect(match("Foo_Baz_training")).toEqual(["Foo", "Baz_training"]);
  });

  it("compares case- and separator-insensitively, keeping the registry's spelling", () => {
    expect(match("xgboost_training")).toEqual(["XGBoostTraining", null]);
    expect(match("XGBOOSTTRAINING_calibration")).toEqual(["XGBoostTraining", "calibration"]);
    expect(match("Xgboost_Mt_Training")).toEqual(["XgboostMtTraining", null]);
  });

  it("returns null when nothing matches, unless a config class names the step", () => {
    expect(match("Unknown_training")).toBeNull();
    expect(match("MyOwnName_training", "XGBoostTraining")).toEqual(["XGBoostTraining", null]);
    expect(match("MyOwnName_training", "NoSuchStep")).toBeNull();
  });

  const real = path.join(cursusRoot, "src/cursus/steps/interfaces");
  it.skipIf(!existsSync(real))("resolves the odd names of the real cursus interfaces", () => {
    const cursus = loadInterfaceRegistry([real]);
    const found = (node: string) => {
      const m = matchStepType(node, cursus);
      return m ? [m.stepType, m.suffix, path.basename(m.iface.file)] : null;
    };
    expect(found("XgboostMtTraining")).toEqual(["XgboostMtTraining", null, "xgboost_mt_training.step.yaml"]);
    expect(found("CradleDataLoading_munged")).toEqual([
      "CradleDataLoading",
      "munged",
      "cradle_data_loading.step.yaml",
    ]);
    expect(found("PyTorchModelInference_embedding")).toEqual([
      "PyTorchModelInference",
      "embedding",
      "pytorch_model_inference.step.yaml",
    ]);
    expect(found("LightGBMMTTraining_pretrain")?.[0]).toBe("LightGBMMTTraining");
  });
});

describe("variantKeys", () => {
  it("lists the variant keys, lowercased, or none", () => {
    const root = writeTree(tempDir(), {
      "a.step.yaml": step("Mapped", { variants: { Training: {}, calibration: {} } }),
      "b.step.yaml": step("Plain"),
    });
    const registry = loadInterfaceRegistry([root]);
    expect(variantKeys(registry.byKey.get("mapped")!)).toEqual(["training", "calibration"]);
    expect(variantKeys(registry.byKey.get("plain")!)).toEqual([]);
  });
});

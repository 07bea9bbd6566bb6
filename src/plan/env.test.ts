import { describe, expect, it } from "vitest";
import { resolveInterface } from "../config/resolve-interface.js";
import type { NodeSettings } from "../config/spec-schema.js";
import type { StepInterface } from "../model/interface.js";
import type { EnvRequirement } from "../model/plan.js";
import {
  deriveEnv,
  deriveJobArgs,
  flagToAttr,
  formatEnvValue,
  givenEnv,
  givenEnvKey,
  OFFLINE_ENV,
} from "./env.js";

/** A resolved interface from the parts of a step YAML that env and args depend on. */
function iface(
  stepType: string,
  env: { required?: string[]; optional?: Record<string, string> },
  jobArguments: { flag: string; source: string }[] = [],
): StepInterface {
  return resolveInterface(
    {
      stepType,
      file: `/ifaces/${stepType}.step.yaml`,
      doc: {
        step_type: stepType,
        contract: { inputs: {}, outputs: {}, env_vars: env, job_arguments: jobArguments },
      },
      shadowed: [],
    },
    null,
  );
}

/** The env a test is about: the offline variables every script gets are checked on their own. */
function own(list: readonly EnvRequirement[]): EnvRequirement[] {
  return list.filter((e) => !(e.name in OFFLINE_ENV) || e.source?.kind !== "engine");
}

function env(list: readonly EnvRequirement[]): Record<string, string | null> {
  return Object.fromEntries(own(list).map((e) => [e.name, e.value]));
}

function one(list: readonly EnvRequirement[], name: string): EnvRequirement {
  const found = list.find((e) => e.name === name);
  if (!found) throw new Error(`no env ${name} among ${list.map((e) => e.name).join(", ")}`);
  return found;
}

const none: NodeSettings = {};

describe("deriveEnv (cursus-formats §4.5)", () => {
  const tabular = iface("TabularPreprocessing", {
    optional: { LABEL_FIELD: "", OUTPUT_FORMAT: "CSV", TRAIN_RATIO: "0.7" },
  });

  it("starts from the interface's optional defaults", () => {
    const result = deriveEnv(tabular, undefined, none);
    expect(env(result)).toEqual({ LABEL_FIELD: "", OUTPUT_FORMAT: "CSV", TRAIN_RATIO: "0.7" });
    expect(one(result, "OUTPUT_FORMAT").source).toEqual({ kind: "interface-default", file: tabular.file });
    expect(own(result).every((e) => e.declared && !e.required)).toBe(true);
  });

  it("sets LABEL_FIELD from label_name", () => {
    const result = deriveEnv(tabular, { label_name: "is_abuse", label_field: "other" }, none);
    expect(one(result, "LABEL_FIELD")).toMatchObject({
      value: "is_abuse",
      source: { kind: "config", field: "label_name" },
    });
  });

  it("sets LABEL_FIELD from label_field for ModelCalibration, even when label_name is shared", () => {
    const calibration = iface("ModelCalibration", { optional: { LABEL_FIELD: "label" } });
    const result = deriveEnv(calibration, { label_name: "shared_label", label_field: "calib_label" }, none);
    expect(one(result, "LABEL_FIELD")).toMatchObject({
      value: "calib_label",
      source: { kind: "config", field: "label_field" },
    });
  });

  it("sets ID_FIELD from id_name", () => {
    const evaluation = iface("XGBoostModelEval", { required: ["ID_FIELD"] });
    expect(one(deriveEnv(evaluation, { id_name: "order_id" }, none), "ID_FIELD")).toMatchObject({
      value: "order_id",
      required: true,
      source: { kind: "config", field: "id_name" },
    });
  });

  it("applies NAME ← name.lower() to declared names only", () => {
    const result = deriveEnv(
      tabular,
      { train_ratio: 0.8, output_format: "TSV", batch_size: 5, bucket: "b", region: "NA" },
      none,
    );
    expect(env(result)).toEqual({ LABEL_FIELD: "", OUTPUT_FORMAT: "TSV", TRAIN_RATIO: "0.8" });
    expect(one(result, "TRAIN_RATIO").source).toEqual({ kind: "config", field: "train_ratio" });
    // Undeclared config fields never become env vars (unlike cursus's script tester, §4.4).
    for (const name of ["BATCH_SIZE", "BUCKET", "BUCKET_NAME", "REGION"]) {
      expect(result.map((e) => e.name)).not.toContain(name);
    }
  });

  it("falls back to hyperparameters.<name> for a declared name", () => {
    const training = iface("XGBoostTraining", { optional: { MAX_DEPTH: "6" } });
    expect(one(deriveEnv(training, { hyperparameters: { max_depth: 3 } }, none), "MAX_DEPTH")).toMatchObject({
      value: "3",
      source: { kind: "config", field: "hyperparameters.max_depth" },
    });
  });

  it("formats bool as true/false, lists comma-joined, dicts as JSON; null keeps the default", () => {
    const step = iface("Anything", {
      optional: { OPTIMIZE_MEMORY: "false", CAT_FIELD_LIST: "", FIELD_DEFAULTS: "{}", OUTPUT_FORMAT: "CSV" },
    });
    const result = deriveEnv(
      step,
      {
        optimize_memory: true,
        cat_field_list: ["country", "payment_method"],
        field_defaults: { a: 1, b: "x" },
        output_format: null,
      },
      none,
    );
    expect(env(result)).toEqual({
      OPTIMIZE_MEMORY: "true",
      CAT_FIELD_LIST: "country,payment_method",
      FIELD_DEFAULTS: '{"a":1,"b":"x"}',
      OUTPUT_FORMAT: "CSV",
    });
    expect(one(result, "OUTPUT_FORMAT").source?.kind).toBe("interface-default");
  });

  it("lets config.env win over fields and add undeclared names", () => {
    const result = deriveEnv(
      tabular,
      { output_format: "TSV", env: { OUTPUT_FORMAT: "PARQUET", EXTRA: 1 } },
      none,
    );
    expect(one(result, "OUTPUT_FORMAT")).toMatchObject({ value: "PARQUET", source: { kind: "config-env" } });
    expect(one(result, "EXTRA")).toMatchObject({
      value: "1",
      declared: false,
      source: { kind: "config-env" },
    });
  });

  it("forces USE_SECURE_PYPI=false whoever set it", () => {
    const training = iface("XGBoostTraining", { optional: { USE_SECURE_PYPI: "true" } });
    const fromConfig = one(deriveEnv(training, { use_secure_pypi: true }, none), "USE_SECURE_PYPI");
    expect(fromConfig.value).toBe("false");
    expect(fromConfig.source?.kind).toBe("engine");
    const fromEnv = one(deriveEnv(tabular, { env: { USE_SECURE_PYPI: "true" } }, none), "USE_SECURE_PYPI");
    expect(fromEnv.value).toBe("false");
    // Not declared and not set: forced all the same (real scripts default it to "true" at import).
    expect(one(deriveEnv(tabular, {}, none), "USE_SECURE_PYPI")).toMatchObject({
      value: "false",
      declared: false,
      source: { kind: "engine" },
    });
  });

  it("forces every offline variable off for every script, unless the user sets it", () => {
    const result = deriveEnv(tabular, {}, { env: { WANDB_MODE: "offline" } });
    for (const [name, rule] of Object.entries(OFFLINE_ENV)) {
      if (name === "WANDB_MODE") continue;
      expect(one(result, name)).toMatchObject({ value: rule.value, source: { kind: "engine" } });
    }
    expect(one(result, "WANDB_MODE")).toMatchObject({ value: "offline", source: { kind: "user" } });
  });

  it("gives WORKING_DIRECTORY no value: the engine fills it per run", () => {
    const pkg = iface("Package", { optional: { WORKING_DIRECTORY: "/tmp/mims_packaging_directory" } });
    expect(one(deriveEnv(pkg, {}, none), "WORKING_DIRECTORY")).toMatchObject({
      value: null,
      source: { kind: "engine" },
    });
  });

  it("lets the user's dagtest.yaml values win over everything", () => {
    const result = deriveEnv(
      tabular,
      { output_format: "TSV", env: { OUTPUT_FORMAT: "PARQUET", USE_SECURE_PYPI: "x" } },
      { env: { OUTPUT_FORMAT: "CSV", USE_SECURE_PYPI: "true", MINE: 3 } },
    );
    expect(one(result, "OUTPUT_FORMAT")).toMatchObject({ value: "CSV", source: { kind: "user" } });
    expect(one(result, "USE_SECURE_PYPI")).toMatchObject({ value: "true", source: { kind: "user" } });
    expect(one(result, "MINE")).toMatchObject({ value: "3", declared: false });
  });

  it("leaves a required name nothing provides without a value or a source", () => {
    const mapping = iface("RiskTableMapping", { required: ["CAT_FIELD_LIST"], optional: {} });
    expect(one(deriveEnv(mapping, {}, none), "CAT_FIELD_LIST")).toEqual({
      name: "CAT_FIELD_LIST",
      required: true,
      declared: true,
      value: null,
      source: null,
    });
  });

  it("lists declared names first in declared order, then extra names sorted", () => {
    const step = iface("S", { required: ["B_REQ"], optional: { Z_OPT: "1", A_OPT: "2" } });
    const result = deriveEnv(step, { env: { ZZ: "1", AA: "2" } }, {});
    expect(own(result).map((e) => e.name)).toEqual(["B_REQ", "Z_OPT", "A_OPT", "AA", "ZZ"]);
  });
});

describe("formatEnvValue", () => {
  it.each([
    [true, "true"],
    [false, "false"],
    [0, "0"],
    ["", ""],
    [["a", 1, { b: 2 }], 'a,1,{"b":2}'],
    [{ x: [1] }, '{"x":[1]}'],
    [null, null],
    [undefined, null],
  ])("%j → %j", (value, expected) => {
    expect(formatEnvValue(value)).toBe(expected);
  });
});

describe("deriveJobArgs", () => {
  it("maps --batch-size to the argparse attribute batch_size, valued from the config field", () => {
    const step = iface("Bedrock", {}, [{ flag: "--batch-size", source: "batch_size" }]);
    expect(deriveJobArgs(step, { batch_size: 32 }, null, false, none)).toEqual([
      {
        flag: "--batch-size",
        attr: "batch_size",
        value: "32",
        source: { kind: "config", field: "batch_size" },
      },
    ]);
    expect(flagToAttr("--job_type")).toBe("job_type");
    expect(flagToAttr("--max-retries")).toBe("max_retries");
  });

  const withJobType = iface("TabularPreprocessing", {}, [{ flag: "--job_type", source: "job_type" }]);

  it("takes job_type from the config when set", () => {
    expect(deriveJobArgs(withJobType, { job_type: "training" }, "training", false, none)[0]).toMatchObject({
      value: "training",
      source: { kind: "config", field: "job_type" },
    });
  });

  it("falls back to the node-name suffix for job_type", () => {
    expect(deriveJobArgs(withJobType, {}, "calibration", true, none)[0]).toMatchObject({
      attr: "job_type",
      value: "calibration",
      source: { kind: "node-suffix" },
    });
  });

  it("leaves an argument nothing provides without a value", () => {
    expect(deriveJobArgs(withJobType, {}, null, false, none)[0]).toMatchObject({ value: null, source: null });
  });

  it("lets the user's values win, by attribute or by flag, and add new ones", () => {
    const args = deriveJobArgs(withJobType, { job_type: "training" }, "training", false, {
      job_args: { "--job_type": "validation", "--max-retries": 3, verbose: true, seed: null },
    });
    expect(args).toEqual([
      { flag: "--job_type", attr: "job_type", value: "validation", source: { kind: "user" } },
      { flag: "--max-retries", attr: "max_retries", value: "3", source: { kind: "user" } },
      { flag: "--verbose", attr: "verbose", value: "true", source: { kind: "user" } },
      { flag: "--seed", attr: "seed", value: null, source: { kind: "user" } },
    ]);
  });
});

describe("givenEnvKey (the memo key of a node's env)", () => {
  const calibration = iface("ModelCalibration", {
    required: ["LABEL_FIELD"],
    optional: { SCORE_FIELD: "prob", MAX_ITER: "10" },
  });
  const configs: (Record<string, unknown> | undefined)[] = [
    undefined,
    {},
    { label_name: "y" },
    { label_field: "y" },
    { label_field: "y", label_name: "y" },
    { label_name: "z" },
    { label_name: 1 },
    { label_name: "1" },
    { hyperparameters: { max_iter: 5 } },
    { max_iter: 5, hyperparameters: { max_iter: 6 } },
    { env: { EXTRA: "a" } },
    { env: { EXTRA: "a", NONE: null } },
    { env: { EXTRA: "b" } },
    { score_field: ["a", "b"] },
    { score_field: "a,b" },
  ];
  const settings: NodeSettings[] = [{}, { env: { SCORE_FIELD: "u" } }, { env: { SCORE_FIELD: "v" } }];
  const cases = configs.flatMap((config) => settings.map((s) => ({ config, settings: s })));

  it("is equal only when what the config and the user give is equal", () => {
    for (const a of cases) {
      for (const b of cases) {
        if (givenEnvKey(calibration, a.config, a.settings) !== givenEnvKey(calibration, b.config, b.settings))
          continue;
        expect(givenEnv(calibration, b.config, b.settings)).toEqual(
          givenEnv(calibration, a.config, a.settings),
        );
      }
    }
  });

  it("tells apart values that give different env", () => {
    const keys = new Set(cases.map((c) => givenEnvKey(calibration, c.config, c.settings)));
    const givens = new Set(cases.map((c) => JSON.stringify(givenEnv(calibration, c.config, c.settings))));
    expect(keys.size).toBeGreaterThanOrEqual(givens.size);
    expect(givens.size).toBeGreaterThan(20);
  });
});

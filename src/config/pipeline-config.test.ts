import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rejection } from "../../tests/helpers/errors.js";
import { cursusRoot, removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import type { PipelineConfig } from "../model/config.js";
import { loadPipelineConfig, matchConfig, unwrapTypeInfo } from "./pipeline-config.js";

afterAll(removeTempDirs);

const dir = tempDir();
let counter = 0;

function load(value: unknown): PipelineConfig {
  const file = path.join(dir, `config-${counter++}.json`);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return loadPipelineConfig(file);
}

function config(
  specific: Record<string, Record<string, unknown>>,
  configTypes: Record<string, string> = {},
): PipelineConfig {
  return { file: "/x/config.json", shared: { region: "NA", label_name: "y" }, specific, configTypes };
}

describe("loadPipelineConfig", () => {
  it("reads the configuration wrapper with metadata.config_types", () => {
    const loaded = load({
      configuration: {
        shared: { region: "NA", source_dir: "dockers/x" },
        specific: { Package: { __model_type__: "PackageConfig", processing_entry_point: "package.py" } },
      },
      metadata: { config_types: { Package: "PackageConfig", Broken: 3 }, created_at: "2025-01-01" },
    });
    expect(loaded.shared).toEqual({ region: "NA", source_dir: "dockers/x" });
    expect(Object.keys(loaded.specific)).toEqual(["Package"]);
    // Only string class names are kept.
    expect(loaded.configTypes).toEqual({ Package: "PackageConfig" });
  });

  it("reads the unwrapped form (shared/specific at the top level)", () => {
    const loaded = load({ shared: { a: 1 }, specific: { Step: { b: 2 } } });
    expect(loaded.shared).toEqual({ a: 1 });
    expect(loaded.specific).toEqual({ Step: { b: 2 } });
    expect(loaded.configTypes).toEqual({});
  });

  it("tolerates a skeleton config (no config_types, specific {})", () => {
    const loaded = load({ configuration: { shared: { author: "me" }, specific: {} }, metadata: {} });
    expect(loaded.specific).toEqual({});
    expect(loaded.configTypes).toEqual({});
    const match = matchConfig(loaded, "TabularPreprocessing_training");
    expect(match.ok).toBe(false);
  });

  const skeleton = path.join(cursusRoot, "projects/munged_address_pytorch/pipeline_config/config_NA.json");
  it.skipIf(!existsSync(skeleton))("loads cursus's real skeleton config (munged_address_pytorch)", () => {
    const loaded = loadPipelineConfig(skeleton);
    expect(loaded.specific).toEqual({});
    expect(loaded.configTypes).toEqual({});
  });

  it("unwraps __type_info__ wrappers everywhere, keeping __model_type__", () => {
    const loaded = load({
      configuration: {
        shared: { tags: { __type_info__: "set", value: ["a", "b"] } },
        specific: {
          Cradle: {
            __model_type__: "CradleDataLoadingConfig",
            data_sources_spec: {
              __model_type__: "DataSourcesSpecificationConfig",
              data_sources: {
                __type_info__: "list",
                value: [{ __model_type__: "DataSourceConfig", path: { __type_info__: "path", value: "/x" } }],
              },
            },
          },
        },
      },
    });
    expect(loaded.shared.tags).toEqual(["a", "b"]);
    expect(loaded.specific.Cradle).toEqual({
      __model_type__: "CradleDataLoadingConfig",
      data_sources_spec: {
        __model_type__: "DataSourcesSpecificationConfig",
        data_sources: [{ __model_type__: "DataSourceConfig", path: "/x" }],
      },
    });
  });

  it("unwrapTypeInfo leaves objects that merely have a `value` key alone", () => {
    expect(unwrapTypeInfo({ value: 3, other: 4 })).toEqual({ value: 3, other: 4 });
    expect(
      unwrapTypeInfo({ __type_info__: "tuple", value: [1, { __type_info__: "list", value: [] }] }),
    ).toEqual([1, []]);
  });

  it.each([
    ["not an object", ["a"]],
    ["neither shared nor specific", { configuration: { other: {} } }],
    ["shared not an object", { shared: [1], specific: {} }],
    ["specific not an object", { shared: {}, specific: "x" }],
    ["an entry that is not an object", { shared: {}, specific: { Package: 3 } }],
  ])("refuses a config that is %s → DAGTEST_CONFIG_INVALID", (_what, value) => {
    const error = rejection(() => load(value));
    expect(error.code).toBe("DAGTEST_CONFIG_INVALID");
    expect(error.location?.file).toMatch(/config-\d+\.json$/);
    expect(error.hint).toMatch(/configuration/);
  });
});

describe("matchConfig", () => {
  it("matches by exact key; the effective config is shared + specific, specific winning", () => {
    const match = matchConfig(
      config({ Package: { __model_type__: "PackageConfig", region: "EU" } }),
      "Package",
    );
    expect(match).toEqual({
      ok: true,
      key: "Package",
      rule: "exact-key",
      effective: { region: "EU", label_name: "y", __model_type__: "PackageConfig" },
    });
  });

  it("matches through metadata.config_types, requiring the node suffix to equal job_type", () => {
    const cfg = config(
      {
        Prep_A: { __model_type__: "PrepConfig", job_type: "training" },
        Prep_B: { __model_type__: "PrepConfig", job_type: "Calibration" },
        Other: { __model_type__: "OtherConfig", job_type: "calibration" },
      },
      { Prep_calibration: "PrepConfig", Prep_validation: "PrepConfig" },
    );
    const match = matchConfig(cfg, "Prep_calibration");
    expect(match.ok && [match.key, match.rule, match.effective.job_type]).toEqual([
      "Prep_B",
      "config-types",
      "Calibration",
    ]);
    // No entry of that class has job_type validation: an error, not the nearest guess.
    const miss = matchConfig(cfg, "Prep_validation");
    expect(miss.ok).toBe(false);
  });

  it("matches a suffix-less node through config_types whatever the entry's job type", () => {
    const cfg = config(
      { xgb_main: { __model_type__: "XGBoostTrainingConfig" } },
      {
        XGBoostTraining: "XGBoostTrainingConfig",
      },
    );
    const match = matchConfig(cfg, "XGBoostTraining");
    expect(match.ok && [match.key, match.rule]).toEqual(["xgb_main", "config-types"]);
  });

  it("refuses to choose between two entries of the class and job type, naming both", () => {
    const cfg = config(
      {
        First: { __model_type__: "PrepConfig", job_type: "training" },
        Second: { __model_type__: "PrepConfig", job_type: "training" },
      },
      { Prep_training: "PrepConfig" },
    );
    const match = matchConfig(cfg, "Prep_training");
    if (match.ok) throw new Error("expected no match");
    expect(match.candidates).toEqual(["First", "Second"]);
    expect(match.message).toContain("First, Second");
    expect(match.hint).toContain("nodes.Prep_training.config");
  });

  it("explains a missing entry and names the candidates of the same step", () => {
    const cfg = config({
      TabularPreprocessing_training: { job_type: "training" },
      TabularPreprocessing_calibration: { job_type: "calibration" },
      Package: {},
    });
    const match = matchConfig(cfg, "TabularPreprocessing_testing");
    if (match.ok) throw new Error("expected no match");
    expect(match.candidates).toEqual(["TabularPreprocessing_training", "TabularPreprocessing_calibration"]);
    expect(match.message).toBe(
      'The pipeline config has no entry for node "TabularPreprocessing_testing" (similar entries: TabularPreprocessing_training, TabularPreprocessing_calibration).',
    );
    expect(match.hint).toContain("nodes.TabularPreprocessing_testing.config");
  });

  it("does not match case-insensitively or by prefix (no guessing)", () => {
    const cfg = config({ package: {}, Package_extra: {} });
    expect(matchConfig(cfg, "Package").ok).toBe(false);
  });
});

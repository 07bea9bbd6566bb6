import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cursusRoot } from "../../tests/helpers/paths.js";
import { loadPipelineConfig } from "../config/pipeline-config.js";
import { synthesizeSettings } from "../config/spec-schema.js";
import { type ConfigEntryView, fieldFacts, type HyperparameterFile } from "./facts.js";
import { deriveRecipe } from "./recipe.js";

const project = path.join(cursusRoot, "projects/ab_lightgbm");
const hyperFile = path.join(project, "dockers/hyperparams/hyperparameters.json");
const hasProject = existsSync(hyperFile);

function abEntries(): ConfigEntryView[] {
  const config = loadPipelineConfig(path.join(project, "pipeline_config/config.json"));
  return Object.entries(config.specific).map(([key, fields]) => ({
    key,
    fields: { ...config.shared, ...fields },
  }));
}

function abHyperparameters(): HyperparameterFile[] {
  return [
    { file: "dockers/hyperparams/hyperparameters.json", data: JSON.parse(readFileSync(hyperFile, "utf8")) },
  ];
}

const settings = (given: object = {}) => synthesizeSettings.parse(given);

describe.runIf(hasProject)("the recipe of ab_lightgbm's Cradle data (the real config)", () => {
  const entries = abEntries();
  const hyper = abHyperparameters()[0]!.data as Record<string, string[] | string>;
  const envs = [{ node: "TabularPreprocessing_training", env: { LABEL_FIELD: "is_abuse" } }];
  const facts = fieldFacts({ entries, hyperparameters: abHyperparameters(), envs });
  const config = entries.find((e) => e.key === "CradleDataLoading_training")!.fields;
  const { recipe, untyped } = deriveRecipe({
    node: "CradleDataLoading_training",
    settings: settings({ rows: 300 }),
    config,
    facts,
  });
  const byName = new Map(recipe.columns.map((c) => [c.name, c]));

  it("has every column the project's scripts select, under the name they look for", () => {
    const selected = [
      ...(hyper.full_field_list as string[]),
      ...(hyper.tab_field_list as string[]),
      ...(hyper.cat_field_list as string[]),
      hyper.label_name as string,
      hyper.id_name as string,
    ];
    expect(selected.length).toBeGreaterThan(60);
    expect(selected.filter((name) => !byName.has(name))).toEqual([]);
  });

  it("keeps output_spec.output_schema's columns in order, and types every one", () => {
    const schema = (config.output_spec as { output_schema: string[] }).output_schema;
    expect(recipe.columns.slice(0, schema.length).map((c) => c.name)).toEqual(schema);
    expect(recipe.columns).toHaveLength(schema.length);
    expect(untyped).toEqual([]);
  });

  it("writes dots as __DOT__ (keep_dot_in_output_schema: false), which the preprocessing step turns back", () => {
    const dotted = recipe.columns.filter((c) => c.name.includes("."));
    expect(dotted.length).toBeGreaterThan(50);
    for (const c of dotted) expect(c.fileName).toBe(c.name.replaceAll(".", "__DOT__"));
    expect(byName.get("PAYMETH")!.fileName).toBe("PAYMETH");
  });

  it("types columns from the field lists, label and id, and says where each decision came from", () => {
    for (const name of hyper.tab_field_list as string[]) expect(byName.get(name)!.kind).toBe("numeric");
    for (const name of hyper.cat_field_list as string[]) expect(byName.get(name)!.kind).toBe("categorical");
    expect(byName.get("is_abuse")!.kind).toBe("label");
    expect(byName.get("order_id")!.kind).toBe("id");
    expect(byName.get("PAYMETH")!.kindSource).toBe("dockers/hyperparams/hyperparameters.json cat_field_list");
    expect(byName.get("transactionDate")).toMatchObject({ kind: "date" });
    expect(byName.get("objectId")!.kindSource).toMatch(/data source RAW_MDS_NA field_type STRING/);
    expect(byName.get("is_abuse")!.source).toBe("CradleDataLoading_training output_spec.output_schema");
    expect(recipe.label).toMatchObject({ name: "is_abuse", classes: [0, 1] });
    expect(recipe.label!.source).toMatch(/LABEL_FIELD of TabularPreprocessing_training/);
    expect(recipe.id).toMatchObject({ name: "order_id" });
  });

  it("takes the layout from output_spec: Parquet with a header, in parts", () => {
    expect(recipe).toMatchObject({ format: "parquet", header: true, parts: 2, rows: 300, seed: 1 });
    expect(recipe.dates).toEqual({ start: "2025-01-01", days: 106 });
  });

  it("leaves ids and labels complete, and some features with missing values", () => {
    expect(byName.get("is_abuse")!.missing).toBe(0);
    expect(byName.get("order_id")!.missing).toBe(0);
    const withMissing = recipe.columns.filter((c) => c.missing > 0);
    expect(withMissing.length).toBeGreaterThan(5);
    expect(withMissing.length).toBeLessThan(recipe.columns.length / 2);
  });

  it("types the features from Registration's variable list when the hyperparameters are not read", () => {
    const bare = fieldFacts({ entries, hyperparameters: [], envs: [] });
    const r = deriveRecipe({
      node: "CradleDataLoading_calibration",
      settings: settings(),
      config,
      facts: bare,
    });
    const kinds = new Map(r.recipe.columns.map((c) => [c.name, c.kind]));
    for (const name of hyper.tab_field_list as string[]) expect(kinds.get(name)).toBe("numeric");
    expect(r.recipe.label!.name).toBe("is_abuse");
    expect(r.recipe.label!.source).toMatch(/^config \w+ label_(name|field)/);
  });
});

describe("a recipe where the project does not say enough", () => {
  const config = {
    output_spec: {
      output_schema: ["id", "score", "mystery"],
      output_format: "CSV",
      keep_dot_in_output_schema: true,
    },
  };
  const facts = fieldFacts({
    entries: [{ key: "Train", fields: { label_name: "y", id_name: "id", tab_field_list: ["score"] } }],
    hyperparameters: [],
    envs: [],
  });

  it("returns the untyped column (the plan asks about it) and adds the label the scripts need", () => {
    const { recipe, untyped } = deriveRecipe({ node: "Load", settings: settings(), config, facts });
    expect(untyped).toEqual(["mystery"]);
    expect(recipe.columns.map((c) => [c.name, c.kind])).toEqual([
      ["id", "id"],
      ["score", "numeric"],
      ["mystery", "text"],
      ["y", "label"],
    ]);
    expect(recipe.columns[3]!.source).toBe("config Train label_name");
    expect(recipe).toMatchObject({ format: "csv", header: true, parts: 2 });
  });

  it("takes the user's answer from synthesize.columns", () => {
    const answered = settings({ columns: { mystery: "categorical" } });
    const { recipe, untyped } = deriveRecipe({ node: "Load", settings: answered, config, facts });
    expect(untyped).toEqual([]);
    expect(recipe.columns.find((c) => c.name === "mystery")).toMatchObject({
      kind: "categorical",
      kindSource: "dagtest.yaml nodes.Load synthesize.columns",
    });
  });

  it("without any config, makes a header CSV in one part from the field lists", () => {
    const { recipe } = deriveRecipe({ node: "Load", settings: settings(), config: null, facts });
    expect(recipe.columns.map((c) => c.name)).toEqual(["id", "score", "y"]);
    expect(recipe).toMatchObject({ format: "csv", header: true, parts: 1 });
  });
});

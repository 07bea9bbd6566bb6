/**
 * The real ab_lightgbm project with no data from the user at all: its two Cradle phantoms'
 * outputs synthesized from its config and hyperparameters (`dagtest init --synthesize` writes the
 * same). The plan has no open question, the run meets the project's own bugs as it does with
 * hand-made data (ab-lightgbm.test.ts), and with the user's fixes applied to a copy every script
 * passes and the evaluation scores the synthetic calibration data well above chance.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs } from "../helpers/paths.js";
import * as corpus from "./project.js";

/** The user's spec with the phantoms' outputs synthesized instead of hand-made. */
function spec(python: string, extra = ""): string {
  const synth = (rows: number, seed: number) =>
    `{${["DATA", "SIGNATURE", "METADATA"].map((p) => `${p}: {synthesize: {rows: ${rows}, seed: ${seed}}}`).join(", ")}}`;
  return corpus
    .userSpec(python, extra)
    .replace(/outputs: \{DATA: data\/training\/data[^\n]*/, `outputs: ${synth(800, 1)}`)
    .replace(/outputs: \{DATA: data\/calibration\/data[^\n]*/, `outputs: ${synth(400, 2)}`);
}

let python = "";
let dir = "";

describe.skipIf(!corpus.present)("the real ab_lightgbm project on synthesized data only", () => {
  beforeAll(async () => {
    ({ dir, python } = await corpus.setUpProject("complete_e2e", { phantomData: false }));
    writeFileSync(path.join(dir, "dagtest.yaml"), spec(python));
    expect(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")).not.toContain("data/");
  }, 900_000);
  afterAll(removeTempDirs);

  it("plans with no open question; every column the training selects is synthesized, typed", () => {
    const plan = corpus.planJson(dir);
    expect(plan.summary).toMatchObject({ questions: 0, errors: 0, ready: true });
    const hyper = JSON.parse(
      readFileSync(path.join(dir, "dockers/hyperparams/hyperparameters.json"), "utf8"),
    );
    for (const name of ["CradleDataLoading_training", "CradleDataLoading_calibration"]) {
      const node = plan.nodes.find((n) => n.name === name);
      if (node?.kind !== "phantom" || !node.synthetic) throw new Error(`${name} is not synthesized`);
      const kinds = new Map(node.synthetic.recipe.columns.map((c) => [c.name, c]));
      for (const col of hyper.tab_field_list) expect(kinds.get(col)?.kind, col).toBe("numeric");
      for (const col of hyper.cat_field_list) expect(kinds.get(col)?.kind, col).toBe("categorical");
      for (const col of hyper.full_field_list) expect(kinds.has(col), col).toBe(true);
      expect(kinds.get("PAYMETH")?.kindSource).toBe(
        "dockers/hyperparams/hyperparameters.json cat_field_list",
      );
      expect(node.synthetic.recipe).toMatchObject({ format: "parquet", header: true });
    }
  });

  it("meets the project's own first bug exactly as with hand-made data", () => {
    const { result } = corpus.run(dir);
    expect(result.scriptResults.TabularPreprocessing_calibration?.status).toBe("passed");
    corpus.expectRelativeImportBug(result, dir);
  }, 600_000);

  it("with the user's fixes, every script passes and the evaluation's AUC is well above 0.5", () => {
    corpus.FIXES.relativeImport(dir);
    corpus.FIXES.regionHyperparameters(dir);
    writeFileSync(path.join(dir, "dagtest.yaml"), spec(python, corpus.RISK_TABLE_MODE));
    const { result } = corpus.run(dir);
    const statuses = Object.fromEntries(Object.entries(result.scriptResults).map(([n, r]) => [n, r.status]));
    expect(result.pipelineSuccess, JSON.stringify(statuses)).toBe(true);
    expect(statuses.LightGBMModelEval_calibration).toBe("passed");
    const metricsDir = path.join(result.runDir, "LightGBMModelEval_calibration/out/metrics_output");
    const metrics = readdirSync(metricsDir).filter((f) => f.endsWith(".json"));
    const text = metrics.map((f) => readFileSync(path.join(metricsDir, f), "utf8")).join("\n");
    const auc = Number(/"auc_roc":\s*([0-9.]+)/.exec(text)?.[1]);
    expect(auc, text.slice(0, 500)).toBeGreaterThan(0.65);
  }, 600_000);
});

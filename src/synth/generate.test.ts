import { describe, expect, it } from "vitest";
import type { SynthColumn, SynthRecipe } from "../model/synth.js";
import { generateTable } from "./generate.js";

const col = (name: string, kind: SynthColumn["kind"], missing = 0): SynthColumn => ({
  name,
  fileName: name,
  kind,
  source: "test",
  kindSource: "test",
  missing,
});

function recipe(over: Partial<SynthRecipe> = {}): SynthRecipe {
  return {
    recipeVersion: 1,
    node: "Load_training",
    rows: 2000,
    seed: 1,
    format: "csv",
    header: true,
    parts: 1,
    layoutSource: "test",
    columns: [
      col("order_id", "id"),
      col("amount", "numeric", 0.1),
      col("n_items_count", "numeric"),
      col("x.score", "numeric"),
      col("payment", "categorical", 0.05),
      col("note", "text"),
      col("tag_date", "date"),
      col("is_fraud", "label"),
    ],
    label: { name: "is_fraud", classes: [0, 1], source: "test" },
    id: { name: "order_id", source: "test" },
    dates: { start: "2025-01-01", days: 30 },
    ...over,
  };
}

/** Rank AUC of `score` for `label` (missing scores left out). */
function auc(score: readonly (number | string | null)[], label: readonly (number | string | null)[]): number {
  const pairs = score
    .map((s, i) => [s, label[i]] as const)
    .filter((p): p is readonly [number, number] => typeof p[0] === "number");
  const pos = pairs.filter((p) => p[1] === 1).map((p) => p[0]);
  const neg = pairs.filter((p) => p[1] === 0).map((p) => p[0]);
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe("generated values", () => {
  const table = generateTable(recipe());
  const values = (name: string) => table.find((c) => c.column.name === name)!.values;

  it("is the same table for the same recipe, and another for another seed", () => {
    expect(generateTable(recipe())).toEqual(table);
    expect(generateTable(recipe({ seed: 2 }))).not.toEqual(table);
  });

  it("gives unique ids, complete labels of the declared classes, and dates in the range", () => {
    expect(new Set(values("order_id")).size).toBe(2000);
    expect(new Set(values("is_fraud"))).toEqual(new Set([0, 1]));
    const rate = values("is_fraud").filter((v) => v === 1).length / 2000;
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.45);
    for (const d of values("tag_date"))
      expect(String(d) >= "2025-01-01" && String(d) < "2025-01-31").toBe(true);
  });

  it("leaves about the declared share of values missing", () => {
    const missing = values("amount").filter((v) => v === null).length / 2000;
    expect(missing).toBeGreaterThan(0.06);
    expect(missing).toBeLessThan(0.14);
    expect(values("x.score").every((v) => v !== null)).toBe(true);
  });

  it("shapes numbers by their names: counts are whole, amounts positive", () => {
    for (const v of values("n_items_count")) expect(Number.isInteger(v)).toBe(true);
    for (const v of values("amount")) if (v !== null) expect(v as number).toBeGreaterThan(0);
  });

  it("makes the label depend on the features, the same way for every phantom of the pipeline", () => {
    const label = values("is_fraud");
    const strength = (t: typeof table, name: string) =>
      auc(t.find((c) => c.column.name === name)!.values, t.find((c) => c.column.name === "is_fraud")!.values);
    const best = ["amount", "n_items_count", "x.score"].map((n) => strength(table, n) - 0.5);
    expect(Math.max(...best.map(Math.abs))).toBeGreaterThan(0.1);
    const other = generateTable(recipe({ node: "Load_calibration", seed: 7 }));
    const otherBest = ["amount", "n_items_count", "x.score"].map((n) => strength(other, n) - 0.5);
    const top = best.map(Math.abs).indexOf(Math.max(...best.map(Math.abs)));
    expect(Math.sign(otherBest[top]!)).toBe(Math.sign(best[top]!));
    expect(label.length).toBe(2000);
  });

  it("draws multiclass labels from the declared categories", () => {
    const multi = generateTable(recipe({ label: { name: "is_fraud", classes: [0, 1, 2], source: "t" } }));
    const labels = multi.find((c) => c.column.name === "is_fraud")!.values;
    expect(new Set(labels)).toEqual(new Set([0, 1, 2]));
  });
});

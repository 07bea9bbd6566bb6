/**
 * Values for a recipe: numeric and categorical features drawn from seeded streams, and a label
 * that depends on them (a logistic model over the features), so a model trained on the data scores
 * well above chance and calibration has something to do. Ids are unique; some columns have
 * missing values. Pure and deterministic: same recipe, same table.
 */
import type { SynthColumn, SynthRecipe } from "../model/synth.js";
import { hashString, Random } from "./random.js";

export type Cell = number | string | null;
export type CellType = "int" | "float" | "string";

export interface GeneratedColumn {
  readonly column: SynthColumn;
  readonly type: CellType;
  readonly values: readonly Cell[];
}

/** The label's signal: standard deviation of the logit that the features explain. */
const SIGNAL = 3;
const POSITIVE_RATE = 0.3;

export function generateTable(recipe: SynthRecipe): GeneratedColumn[] {
  const n = recipe.rows;
  // Data streams depend on the phantom and the seed; the label's model (weights, category effects)
  // depends on the column names only, so every phantom of a pipeline shares it: a model trained on
  // the training data scores on the calibration data.
  const stream = (what: string, name: string) => new Random(recipe.seed, recipe.node, what, name);
  const shared = (what: string, name: string) => new Random("model", what, name);
  const latent = new Map<string, number[]>();
  const levels = new Map<string, { names: string[]; index: number[]; effects: number[] }>();
  for (const col of recipe.columns) {
    if (col.kind === "numeric") {
      const rng = stream("latent", col.name);
      latent.set(
        col.name,
        Array.from({ length: n }, () => rng.normal()),
      );
    } else if (col.kind === "categorical") levels.set(col.name, categorical(col.name, n, stream, shared));
  }
  const labels = recipe.label ? makeLabels(recipe, latent, levels, stream, shared) : null;
  return recipe.columns.map((col) => {
    const missing = stream("missing", col.name);
    const blank = (v: Cell): Cell => (col.missing > 0 && missing.next() < col.missing ? null : v);
    switch (col.kind) {
      case "numeric": {
        const shape = numericShape(col.name);
        return {
          column: col,
          type: shape.type,
          values: latent.get(col.name)!.map((z) => blank(shape.value(z))),
        };
      }
      case "categorical": {
        const l = levels.get(col.name)!;
        return { column: col, type: "string", values: l.index.map((i) => blank(l.names[i]!)) };
      }
      case "label":
        return { column: col, type: "int", values: labels ?? new Array<Cell>(n).fill(0) };
      case "id": {
        const base = 1_000_000 * (1 + (hashString(`${recipe.node}\u0000${recipe.seed}`) % 9000));
        return { column: col, type: "int", values: Array.from({ length: n }, (_, i) => base + i) };
      }
      case "date": {
        const rng = stream("date", col.name);
        const start = Date.parse(`${recipe.dates.start}T00:00:00Z`);
        const day = () =>
          new Date(start + rng.below(recipe.dates.days) * 86_400_000).toISOString().slice(0, 10);
        return { column: col, type: "string", values: Array.from({ length: n }, () => blank(day())) };
      }
      default: {
        const rng = stream("text", col.name);
        const distinct = Math.max(3, Math.floor(n / 20));
        const short = shortName(col.name);
        return {
          column: col,
          type: "string",
          values: Array.from({ length: n }, () => blank(`${short}_${rng.below(distinct)}`)),
        };
      }
    }
  });
}

type Streams = (what: string, name: string) => Random;

function categorical(name: string, n: number, stream: Streams, shared: Streams) {
  const count = 3 + (hashString(name) % 4);
  const short = shortName(name);
  const names = Array.from({ length: count }, (_, k) => `${short}_${String.fromCharCode(65 + k)}`);
  // Skewed level frequencies (1, 1/2, 1/3, ...), as real categories are.
  const weights = names.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const rng = stream("level", name);
  const index = Array.from({ length: n }, () => {
    let u = rng.next() * total;
    for (let k = 0; k < count; k++) {
      u -= weights[k]!;
      if (u < 0) return k;
    }
    return count - 1;
  });
  const fx = shared("effect", name);
  return { names, index, effects: names.map(() => fx.normal()) };
}

/** Label from a logistic (binary) or arg-max (multiclass) model over the features. */
function makeLabels(
  recipe: SynthRecipe,
  latent: ReadonlyMap<string, number[]>,
  levels: ReadonlyMap<string, { index: number[]; effects: number[] }>,
  stream: Streams,
  shared: Streams,
): number[] {
  const classes = recipe.label!.classes;
  const heads = classes.length <= 2 ? 1 : classes.length;
  // The same scale for every phantom (not each one's own spread), so the model transfers.
  const scale = SIGNAL / Math.sqrt(Math.max(1, latent.size + levels.size));
  const scores = Array.from({ length: heads }, (_, h) => {
    const raw = new Array<number>(recipe.rows).fill(0);
    for (const [name, z] of latent) {
      const w = shared(`weight${h}`, name).normal();
      for (let i = 0; i < raw.length; i++) raw[i]! += w * z[i]!;
    }
    for (const [name, l] of levels) {
      const w = shared(`weight${h}`, name).normal();
      for (let i = 0; i < raw.length; i++) raw[i]! += w * l.effects[l.index[i]!]!;
    }
    return raw.map((v) => v * scale);
  });
  const rng = stream("label", recipe.label!.name);
  if (heads === 1) {
    const b = interceptFor(scores[0]!, POSITIVE_RATE);
    return scores[0]!.map((s) => (rng.next() < sigmoid(s + b) ? classes[1]! : classes[0]!));
  }
  return scores[0]!.map((_, i) => {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let h = 0; h < heads; h++) {
      const gumbel = -Math.log(-Math.log(1 - rng.next()));
      const s = scores[h]![i]! + gumbel;
      if (s > bestScore) [best, bestScore] = [h, s];
    }
    return classes[best]!;
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The intercept that makes the mean probability `rate` (bisection). */
function interceptFor(scores: readonly number[], rate: number): number {
  let lo = -20;
  let hi = 20;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    const mean = scores.reduce((a, s) => a + sigmoid(s + mid), 0) / Math.max(1, scores.length);
    if (mean < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A monotone map from the latent value to something that looks like the column (counts, amounts, flags). */
function numericShape(name: string): { type: CellType; value: (z: number) => number } {
  const words = new Set(
    shortName(name)
      .replace(/([a-z])([A-Z])/g, "$1_$2")
      .toLowerCase()
      .split(/[^a-z0-9]+/),
  );
  const has = (...w: string[]) => w.some((x) => words.has(x));
  if (has("is", "has", "any", "flag")) return { type: "int", value: (z) => (z > 0.6 ? 1 : 0) };
  if (has("count", "cnt", "num", "n", "number", "qty", "quantity", "items"))
    return { type: "int", value: (z) => Math.round(Math.exp(0.8 * z + 1)) };
  if (has("amount", "amt", "value", "price", "cost", "gap", "time", "days", "age", "duration"))
    return { type: "float", value: (z) => Math.round(Math.exp(0.9 * z + 3.5) * 100) / 100 };
  return { type: "float", value: (z) => Math.round((z * 10 + 50) * 10_000) / 10_000 };
}

/** The last dotted part of a column name, e.g. `n_claims` for `Abuse.x.n_claims`. */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1) || name;
}

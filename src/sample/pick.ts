/**
 * Choosing the rows of a sample: stratified by the label when one is known (each class keeps its
 * share, and at least a few rows, so a stratified train/test split downstream still works),
 * deterministic for a seed.
 */
import type { Random } from "../synth/random.js";
import { maxOf } from "../util/arrays.js";

/** Rows every class keeps when it has them: a stratified 3-way split needs at least 2 per part. */
export const MIN_PER_CLASS = 6;

export function stratifiedPick<T>(
  items: readonly T[],
  labelOf: (item: T) => string | null,
  n: number,
  rng: Random,
): T[] {
  if (items.length <= n) return [...items];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = labelOf(item) ?? "\u0000none";
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const keys = [...groups.keys()].sort();
  const quota = quotas(
    keys.map((k) => groups.get(k)!.length),
    n,
  );
  return keys.flatMap((k, g) => shuffled(groups.get(k)!, rng).slice(0, quota[g]));
}

/** Proportional quotas summing to n, each at least min(size, MIN_PER_CLASS) while n allows. */
export function quotas(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const q = sizes.map((s) => Math.min(s, Math.max(Math.min(s, MIN_PER_CLASS), Math.floor((n * s) / total))));
  let sum = q.reduce((a, b) => a + b, 0);
  while (sum > n) {
    const i = q.indexOf(maxOf(q, 0));
    q[i]!--;
    sum--;
  }
  // Hand out what is left by largest remainder, to groups that still have rows.
  const remainder = sizes.map((s, i) => ({ i, r: (n * s) / total - q[i]! }));
  remainder.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; sum < n && k < remainder.length * n; k++) {
    const { i } = remainder[k % remainder.length]!;
    if (q[i]! < sizes[i]!) {
      q[i]!++;
      sum++;
    }
  }
  return q;
}

/** A copy in a seeded random order (Fisher-Yates). */
function shuffled<T>(items: readonly T[], rng: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

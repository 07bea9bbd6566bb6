/**
 * Pure helpers of the benchmarks: summarising wall times (median, minimum), the peer ÷ dagtest
 * ratios and the side-by-side table of bench/peers.ts. No process, no file: unit-tested in
 * tests/unit/bench-table.test.ts. Not a benchmark itself (its name starts with `_`).
 */

/** The median (the mean of the two middle values for an even count); NaN for no value. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The smallest value; NaN for no value. */
export function minimum(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

/** `peer ÷ dagtest` on medians (> 1: dagtest is faster); NaN when either side has no time. */
export function speedup(peer: readonly number[], dagtest: readonly number[]): number {
  const p = median(peer);
  const d = median(dagtest);
  return Number.isFinite(p) && Number.isFinite(d) && d > 0 ? p / d : Number.NaN;
}

/** Wall times in milliseconds, by measure then by tool (columns keep the order given). */
export type Samples = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

/** One cell: `median / min` in seconds, or `–` when that tool is not timed on that measure. */
export function cell(times: readonly number[] | undefined): string {
  if (!times || times.length === 0) return "–";
  return `${(median(times) / 1000).toFixed(2)} / ${(minimum(times) / 1000).toFixed(2)}`;
}

/** A column of the table: the key its samples are stored under, and its heading. */
export interface Column {
  readonly key: string;
  readonly label: string;
}

/**
 * The side-by-side table, as Markdown (readable as plain text too): one row per measure, one
 * column per tool, each cell `median / min` wall seconds.
 */
export function formatTable(samples: Samples, columns: readonly Column[]): string {
  const header = ["measure (median / min s)", ...columns.map((c) => c.label)];
  const rows = [...samples].map(([measure, byTool]) => [
    measure,
    ...columns.map((c) => cell(byTool.get(c.key))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** A benchmark's closing figure, `name: value unit` (two decimals; `n/a` when it could not be measured). */
export function figure(name: string, value: number, unit = "x"): string {
  return `${name}: ${Number.isFinite(value) ? value.toFixed(2) : "n/a"} ${unit}`;
}

/** The tool order for round `round`: the list rotated left by `round` (so each tool starts a round in turn). */
export function rotated<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const shift = ((round % items.length) + items.length) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/**
 * `npm run bench -- sample`: what `--sample 50` costs on a 1,000,000-row CSV, against reading
 * that file once. The file (10 columns, a 10% label) is written to a temp folder; then, median of
 * 5 rounds each, after a warm-up (the file is in the page cache for both):
 *
 *   - read-once: one sequential read of the whole file in 1 MiB chunks, counting lines (the
 *     cheapest full read there is: pandas or a CSV parser cost more);
 *   - sample: `sampleDataset` as `dagtest run --sample 50` calls it, stratified by the label,
 *     writing the 50-row copy.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sampleDataset } from "../src/sample/dataset.js";

const ROWS = 1_000_000;
const ROUNDS = 5;
const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-sample-"));

function makeFile(file: string): void {
  const lines = ["id,amount,n_items,age_days,score,ratio,country,payment,flag,label"];
  for (let i = 0; i < ROWS; i++) {
    const r = (i * 2654435761) % 1000;
    lines.push(
      `${i},${(r * 1.37).toFixed(2)},${r % 9},${r * 3},${(r / 1000).toFixed(4)},${(r / 7).toFixed(3)},C${r % 12},P${r % 5},${r % 2},${r < 100 ? 1 : 0}`,
    );
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

function readOnce(file: string): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, "r");
  let lines = 0;
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

try {
  const file = path.join(dir, "big.csv");
  makeFile(file);
  const options = { rows: 50, seed: 1, label: "label", signature: null, python: "python3" };
  let round = 0;
  const sample = () => {
    const out = path.join(dir, `copy-${round++}`);
    const counts = sampleDataset(file, [file], out, options);
    if (counts[0]?.[1] !== 50) throw new Error(`sampled ${counts[0]?.[1]} rows, not 50`);
  };
  readOnce(file);
  sample();
  const reads = Array.from({ length: ROUNDS }, () => timed(() => readOnce(file)));
  const samples = Array.from({ length: ROUNDS }, () => timed(sample));
  const size = statSync(file).size / (1024 * 1024);
  console.log(`file: ${ROWS} rows, ${size.toFixed(1)} MiB`);
  console.log(`read-once-1m-csv: ${median(reads).toFixed(1)} ms`);
  console.log(`sample-50-of-1m-csv: ${median(samples).toFixed(1)} ms`);
  console.log(`sample-vs-read-once: ${(median(samples) / median(reads)).toFixed(3)} x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

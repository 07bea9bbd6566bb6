/**
 * Sampling one user-supplied dataset (a file, or a folder of shards and side files) into a copy:
 * tabular files (CSV, TSV, JSON lines, Parquet) keep N rows in total across the folder, stratified
 * by the label; every other file (a signature, JSON, gzipped shards) is copied unchanged.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DagtestError } from "../errors.js";
import { parquetRequest } from "../python/parquet-helper.js";
import { Random } from "../synth/random.js";
import { type Candidate, candidates, type LineKind, openLineFile } from "./lines.js";
import { stratifiedPick } from "./pick.js";

export interface DatasetOptions {
  readonly rows: number;
  readonly seed: number;
  readonly label: string | null;
  /** Column names of headerless shards (a phantom's SIGNATURE), or null. */
  readonly signature: readonly string[] | null;
  readonly python: string;
}

/** Per tabular file: [path relative to the dataset, rows kept, rows seen or estimated]. */
export type FileCounts = [string, number, number][];

interface Row extends Candidate {
  readonly index: number;
}

export function sampleDataset(
  source: string,
  files: readonly string[],
  target: string,
  options: DatasetOptions,
): FileCounts {
  const isFile = statSync(source).isFile();
  const rel = (file: string) => (isFile ? path.basename(file) : path.relative(source, file));
  const rng = new Random(options.seed, "sample", path.basename(source));
  const rows: Row[] = [];
  const headers = new Map<string, string | null>();
  const seen = new Map<string, number>();
  const totalBytes = files.reduce((a, f) => a + (tabularKind(f) ? statSync(f).size : 0), 0);
  for (const file of files) {
    const kind = tabularKind(file);
    if (kind === "parquet") {
      const labels = parquetLabels(file, options);
      seen.set(file, labels.length);
      for (const [index, label] of labels.entries())
        rows.push({ file, offset: index, text: "", label, index });
    } else if (kind) {
      const lf = openLineFile(file, kind, options.label, options.signature);
      headers.set(file, lf.header);
      // A pilot of ~10 rows per row kept, so rare classes are seen and each keeps its share.
      const share = Math.ceil((10 * options.rows * statSync(file).size) / Math.max(1, totalBytes));
      const found = candidates(lf, Math.max(share, 200), rng);
      seen.set(file, found.estimatedRows);
      for (const c of found.lines) rows.push({ ...c, index: c.offset });
    }
  }
  const chosen = stratifiedPick(rows, (r) => r.label, options.rows, rng);
  const byFile = new Map<string, Row[]>();
  for (const row of chosen) {
    const list = byFile.get(row.file);
    if (list) list.push(row);
    else byFile.set(row.file, [row]);
  }
  const counts: FileCounts = [];
  for (const file of files) {
    const out = path.join(target, rel(file));
    mkdirSync(path.dirname(out), { recursive: true });
    const kind = tabularKind(file);
    if (!kind) {
      copyFileSync(file, out);
      continue;
    }
    const picked = (byFile.get(file) ?? []).sort((a, b) => a.index - b.index);
    counts.push([rel(file), picked.length, seen.get(file) ?? 0]);
    // A shard left with no rows is dropped: an empty headerless CSV is not a table.
    if (picked.length === 0 && chosen.length > 0) continue;
    if (kind === "parquet") writeParquetRows(file, out, picked, options.python);
    else {
      const header = headers.get(file);
      const lines = [...(header ? [header] : []), ...picked.map((r) => r.text)];
      writeFileSync(out, lines.length ? `${lines.join("\n")}\n` : "");
    }
  }
  return counts;
}

export function tabularKind(file: string): LineKind | "parquet" | null {
  const name = file.toLowerCase();
  if (name.endsWith(".parquet")) return "parquet";
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".tsv")) return "tsv";
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
  return null;
}

function parquetLabels(file: string, options: DatasetOptions): (string | null)[] {
  const done = parquetRequest(options.python, { op: "labels", source: file, column: options.label });
  if (done.ok) return JSON.parse(done.stdout) as (string | null)[];
  return sampleError(file, done.message, done.missingPyarrow, options.python);
}

function writeParquetRows(file: string, out: string, rows: readonly Row[], python: string): void {
  const done = parquetRequest(python, {
    op: "sample",
    source: file,
    target: out,
    rows: rows.map((r) => r.index),
  });
  if (!done.ok) sampleError(file, done.message, done.missingPyarrow, python);
}

function sampleError(file: string, message: string, missingPyarrow: boolean, python: string): never {
  throw new DagtestError({
    code: "DAGTEST_SAMPLE_FAILED",
    message: `Cannot sample ${file}: ${message}`,
    hint: missingPyarrow
      ? `Sampling Parquet goes through the scripts' interpreter, which needs pyarrow (as pandas does to read it): install pyarrow into ${python}, or run without --sample.`
      : "Check the file; run without --sample to use it whole.",
  });
}

/**
 * The data-flow checks run after each node: declared outputs exist and are non-empty, the node
 * did not modify its inputs (content hashes before and after), and what flows along each wire is
 * profiled (files, bytes, and rows/columns for tabular files).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { listFiles } from "../util/files.js";
import { readParquetFooter } from "../util/parquet-footer.js";

export { hashTree, listFiles } from "../util/files.js";

export interface Profile {
  readonly files: number;
  readonly bytes: number;
  readonly rows: number | null;
  readonly columns: readonly string[] | null;
  readonly formats: readonly string[];
}

const TABULAR: Readonly<Record<string, string>> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".parquet": "parquet",
};

/**
 * Files, bytes, and for tabular files the rows (summed over files) and the first file's columns:
 * a text file's header, a Parquet file's top-level columns from its footer. A file that cannot be
 * profiled (a corrupt Parquet footer) still counts as a file and its bytes.
 */
export function profileTree(root: string): Profile {
  const files = listFiles(root);
  let bytes = 0;
  let rows: number | null = null;
  let columns: string[] | null = null;
  const formats = new Set<string>();
  for (const file of files) {
    const size = statSync(file).size;
    bytes += size;
    const format = TABULAR[path.extname(file).toLowerCase()];
    if (!format) continue;
    formats.add(format);
    const table = format === "parquet" ? readParquetFooter(file) : profileText(file, format);
    if (!table) continue;
    rows = (rows ?? 0) + table.rows;
    columns ??= table.columns;
  }
  return { files: files.length, bytes, rows, columns, formats: [...formats].sort() };
}

/** Counts data lines; a first line of non-numeric fields followed by a numeric row is a header. */
function profileText(file: string, format: string): { rows: number; columns: string[] | null } {
  const text = readTextBounded(file);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (format === "jsonl") {
    try {
      const first = JSON.parse(lines[0] ?? "null") as unknown;
      const columns = first && typeof first === "object" && !Array.isArray(first) ? Object.keys(first) : null;
      return { rows: lines.length, columns };
    } catch {
      return { rows: lines.length, columns: null };
    }
  }
  const sep = format === "tsv" ? "\t" : ",";
  const first = (lines[0] ?? "").split(sep);
  const second = (lines[1] ?? "").split(sep);
  const numeric = (v: string) => v.trim() !== "" && !Number.isNaN(Number(v));
  const header =
    lines.length > 1 && first.every((v) => v.trim() !== "" && !numeric(v)) && second.some(numeric);
  return header
    ? { rows: lines.length - 1, columns: first.map((c) => c.trim()) }
    : { rows: lines.length, columns: null };
}

/** Reads up to 64 MiB of a text file: profiling must stay cheap on a laptop. */
function readTextBounded(file: string): string {
  const limit = 64 * 1024 * 1024;
  const fd = openSync(file, "r");
  try {
    const size = Math.min(statSync(file).size, limit);
    const buffer = Buffer.alloc(size);
    readSync(fd, buffer, 0, size, 0);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Outputs that are missing or hold no file. */
export function emptyOutputs(outputs: Readonly<Record<string, string>>): string[] {
  return Object.entries(outputs)
    .filter(([, dir]) => listFiles(dir).length === 0)
    .map(([port]) => port);
}

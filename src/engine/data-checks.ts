/**
 * The data-flow checks run after each node: declared outputs exist and are non-empty, the node
 * did not modify its inputs (content hashes before and after), and what flows along each wire is
 * profiled (files, bytes, and rows/columns for tabular files).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { DataProfile } from "../model/run.js";
import { listFiles } from "../util/files.js";
import { readParquetFooter } from "../util/parquet-footer.js";

export { hashTree, listFiles } from "../util/files.js";

export type Profile = DataProfile;

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
  const { count, first: lines } = scanLines(readBounded(file), 2);
  if (format === "jsonl") {
    try {
      const first = JSON.parse(lines[0] ?? "null") as unknown;
      const columns = first && typeof first === "object" && !Array.isArray(first) ? Object.keys(first) : null;
      return { rows: count, columns };
    } catch {
      return { rows: count, columns: null };
    }
  }
  const sep = format === "tsv" ? "\t" : ",";
  const first = (lines[0] ?? "").split(sep);
  const second = (lines[1] ?? "").split(sep);
  const numeric = (v: string) => v.trim() !== "" && !Number.isNaN(Number(v));
  const header = count > 1 && first.every((v) => v.trim() !== "" && !numeric(v)) && second.some(numeric);
  return header ? { rows: count - 1, columns: first.map((c) => c.trim()) } : { rows: count, columns: null };
}

/**
 * The non-empty lines of a text (split at `\n`, a `\r` before it dropped): how many, and the
 * first `keep` as strings. Counted on the bytes: an edge's profile runs for every output of every
 * node, cached ones too, and decoding and splitting a whole table cost more than reading it.
 */
export function scanLines(buffer: Buffer, keep: number): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  let start = 0;
  while (start <= buffer.length) {
    let end = buffer.indexOf(10, start);
    if (end === -1) end = buffer.length;
    const crlf = end < buffer.length && end > start && buffer[end - 1] === 13;
    const stop = crlf ? end - 1 : end;
    if (stop > start) {
      count++;
      if (first.length < keep) first.push(buffer.toString("utf8", start, stop));
    }
    start = end + 1;
  }
  return { count, first };
}

/** Reads up to 64 MiB of a text file: profiling must stay cheap on a laptop. */
function readBounded(file: string): Buffer {
  const limit = 64 * 1024 * 1024;
  const fd = openSync(file, "r");
  try {
    const size = Math.min(statSync(file).size, limit);
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const got = readSync(fd, buffer, read, size - read, read);
      if (got === 0) break;
      read += got;
    }
    return buffer.subarray(0, read);
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

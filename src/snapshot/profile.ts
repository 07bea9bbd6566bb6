/**
 * A node's snapshot: per output port and file, what the file holds in a form that can be compared
 * with a tolerance. Tables (CSV, TSV, JSON lines, Parquet) are summarised per column, JSON files
 * kept by value (volatile values masked), archives listed by member, anything else by size and hash.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ColumnSummary, FileSnapshot, NodeSnapshot } from "../model/snapshot.js";
import { hashFileContent, listFiles } from "../util/files.js";
import { readParquetFooter } from "../util/parquet-footer.js";
import { isArchiveName, readArchive } from "./archive.js";
import { readTextTable, summariseColumns } from "./table.js";
import { maskVolatile } from "./volatile.js";

/** Text tables and JSON files beyond this are hashed instead of parsed. */
const MAX_PARSED_BYTES = 64 * 1024 * 1024;

const TEXT_TABLES: Readonly<Record<string, string>> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/** Column statistics of Parquet files (through the scripts' interpreter), by absolute path. */
export type ParquetColumns = (
  files: readonly string[],
) => Promise<ReadonlyMap<string, Readonly<Record<string, ColumnSummary>>>>;

/** Snapshot every output port of a node. */
export async function snapshotOutputs(
  outputs: Readonly<Record<string, string>>,
  parquetColumns: ParquetColumns,
): Promise<NodeSnapshot> {
  const files = Object.entries(outputs).flatMap(([port, dir]) =>
    listFiles(dir).map((file) => ({ port, file, rel: path.relative(dir, file) || path.basename(file) })),
  );
  const parquet = files.filter((f) => f.file.toLowerCase().endsWith(".parquet")).map((f) => f.file);
  const columns = parquet.length > 0 ? await parquetColumns(parquet) : new Map();
  const out: Record<string, Record<string, FileSnapshot>> = {};
  for (const port of Object.keys(outputs).sort()) out[port] = {};
  for (const { port, file, rel } of files) {
    out[port]![rel.split(path.sep).join("/")] = snapshotFile(file, columns.get(file) ?? null);
  }
  return out;
}

export function snapshotFile(
  file: string,
  parquetColumns: Readonly<Record<string, ColumnSummary>> | null = null,
): FileSnapshot {
  const lower = file.toLowerCase();
  const ext = path.extname(lower);
  const bytes = statSync(file).size;
  if (ext === ".parquet") return parquetSnapshot(file, parquetColumns) ?? hashed(file, bytes);
  if (isArchiveName(lower)) {
    const members = readArchive(file);
    if (members) return { kind: "archive", members: sortKeys(members) };
  }
  if (bytes > MAX_PARSED_BYTES) return hashed(file, bytes);
  const format = TEXT_TABLES[ext];
  if (format) {
    try {
      const table = readTextTable(readFileSync(file, "utf8"), format);
      return { kind: "table", format, rows: table.rows.length, columns: summariseColumns(table) };
    } catch {
      return hashed(file, bytes);
    }
  }
  if (ext === ".json") {
    try {
      return { kind: "json", value: maskVolatile(JSON.parse(readFileSync(file, "utf8"))) };
    } catch {
      return hashed(file, bytes);
    }
  }
  return hashed(file, bytes);
}

function parquetSnapshot(
  file: string,
  columns: Readonly<Record<string, ColumnSummary>> | null,
): FileSnapshot | null {
  const footer = readParquetFooter(file);
  if (!footer) return null;
  if (columns) return { kind: "table", format: "parquet", rows: footer.rows, columns };
  return {
    kind: "table",
    format: "parquet",
    rows: footer.rows,
    columns: Object.fromEntries(footer.columns.map((c) => [c, { type: "other", nulls: null }])),
    note: "column statistics need pyarrow in the scripts' interpreter; only rows and columns are compared",
  };
}

function hashed(file: string, bytes: number): FileSnapshot {
  return { kind: "file", bytes, sha256: hashFileContent(file) };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]!]),
  );
}

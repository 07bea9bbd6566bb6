/**
 * Column summaries of a text table (CSV, TSV, JSON lines), computed in TypeScript: the type of
 * each column, its null count, and min/max/mean/std for numbers or the distinct count and the most
 * frequent values for categoricals. Numbers are kept to 12 significant digits so that a snapshot
 * does not churn on the last bits of a float sum.
 */
import type { ColumnSummary } from "../model/snapshot.js";

/** How many of the most frequent values a categorical column keeps. */
export const TOP_VALUES = 5;

/** Cells that mean "no value" in the files pandas, Spark and R write. */
const NULL_TEXT = new Set(["", "NA", "NaN", "nan", "N/A", "null", "NULL", "None"]);

export interface TextTable {
  readonly columns: readonly string[];
  /** Row-major cells; a JSON-lines cell keeps its JSON type, a CSV cell is text. */
  readonly rows: readonly (readonly unknown[])[];
}

/** RFC 4180 records: quoted fields may hold the separator, quotes ("") and newlines. */
export function parseDelimited(text: string, sep: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === sep) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

/** A CSV/TSV with a header line, or JSON lines (the union of the objects' keys, in order of appearance). */
export function readTextTable(text: string, format: string): TextTable {
  if (format === "jsonl") {
    const objects = text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as unknown)
      .filter((o): o is Record<string, unknown> => !!o && typeof o === "object" && !Array.isArray(o));
    const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    return { columns, rows: objects.map((o) => columns.map((c) => o[c] ?? null)) };
  }
  const [header = [], ...rows] = parseDelimited(text, format === "tsv" ? "\t" : ",");
  return { columns: header.map((c) => c.trim()), rows };
}

export function summariseColumns(table: TextTable): Record<string, ColumnSummary> {
  const out: Record<string, ColumnSummary> = {};
  table.columns.forEach((name, index) => {
    out[name] = summarise(table.rows.map((row) => row[index] ?? null));
  });
  return out;
}

function isNull(cell: unknown): boolean {
  return cell === null || cell === undefined || (typeof cell === "string" && NULL_TEXT.has(cell.trim()));
}

function asNumber(cell: unknown): number | null {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== "string" || cell.trim() === "") return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

function asBoolean(cell: unknown): string | null {
  if (typeof cell === "boolean") return String(cell);
  if (typeof cell !== "string") return null;
  const lower = cell.trim().toLowerCase();
  return lower === "true" || lower === "false" ? lower : null;
}

/** One column's summary: numeric when every value is a number, boolean, else categorical. */
export function summarise(cells: readonly unknown[]): ColumnSummary {
  const values = cells.filter((c) => !isNull(c));
  const nulls = cells.length - values.length;
  const numbers = values.map(asNumber);
  if (values.length > 0 && numbers.every((n) => n !== null)) return numeric(numbers as number[], nulls);
  const bools = values.map(asBoolean);
  if (values.length > 0 && bools.every((b) => b !== null))
    return categorical("boolean", bools as string[], nulls);
  if (values.some((v) => typeof v === "object")) return { type: "other", nulls };
  return categorical("string", values.map(String), nulls);
}

function numeric(values: readonly number[], nulls: number): ColumnSummary {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  // Sample standard deviation (ddof 1), as pandas reports it.
  const std = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : null;
  return { type: "number", nulls, min: round(min), max: round(max), mean: round(mean), std: round(std) };
}

function categorical(type: "string" | "boolean", values: readonly string[], nulls: number): ColumnSummary {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, TOP_VALUES);
  return { type, nulls, distinct: counts.size, top };
}

/** 12 significant digits: stable across summation orders, far finer than any sane tolerance. */
export function round(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toPrecision(12));
}

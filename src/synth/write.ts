/**
 * Writing a recipe's data in the layout a Cradle phantom leaves behind: `DATA/part-0000k.<ext>`
 * shards (CSV/TSV with or without a header, or Parquet through the scripts' interpreter),
 * `SIGNATURE/signature` (the column names, comma-separated, as the preprocessing step reads them)
 * and `METADATA/metadata` (JSON: each column's type, marked synthetic).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DagtestError } from "../errors.js";
import type { SynthRecipe } from "../model/synth.js";
import { parquetRequest } from "../python/parquet-helper.js";
import { type Cell, type GeneratedColumn, generateTable } from "./generate.js";

/** What a port of a synthesized phantom holds: Cradle's SIGNATURE and METADATA, else the data. */
export function portRole(port: string): "signature" | "metadata" | "data" {
  const name = port.toUpperCase();
  return name === "SIGNATURE" ? "signature" : name === "METADATA" ? "metadata" : "data";
}

/** Write each port under `dir/<port>`: data shards, the signature, or the metadata. */
export function writeRecipe(
  recipe: SynthRecipe,
  dir: string,
  python: string,
  ports: readonly string[],
): void {
  const table = generateTable(recipe);
  for (const port of ports) {
    const at = path.join(dir, port);
    mkdirSync(at, { recursive: true });
    const role = portRole(port);
    if (role === "signature")
      writeFileSync(path.join(at, "signature"), `${recipe.columns.map((c) => c.fileName).join(",")}\n`);
    else if (role === "metadata") writeFileSync(path.join(at, "metadata"), metadataOf(recipe, table));
    else writeData(recipe, table, at, python);
  }
}

function writeData(recipe: SynthRecipe, table: readonly GeneratedColumn[], at: string, python: string): void {
  const ranges = partRanges(recipe.rows, recipe.parts);
  if (recipe.format === "parquet") {
    writeParquet(recipe, table, ranges, at, python);
    return;
  }
  const sep = recipe.format === "tsv" ? "\t" : ",";
  ranges.forEach(([from, to], k) => {
    const lines: string[] = recipe.header ? [table.map((c) => quote(c.column.fileName, sep)).join(sep)] : [];
    for (let i = from; i < to; i++) lines.push(table.map((c) => cell(c.values[i] ?? null, sep)).join(sep));
    writeFileSync(path.join(at, partName(k, recipe.format)), `${lines.join("\n")}\n`);
  });
}

function metadataOf(recipe: SynthRecipe, table: readonly GeneratedColumn[]): string {
  const columns = table.map((c) => ({ name: c.column.fileName, type: c.type, kind: c.column.kind }));
  const metadata = { synthetic: true, node: recipe.node, rows: recipe.rows, seed: recipe.seed, columns };
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

function writeParquet(
  recipe: SynthRecipe,
  table: readonly GeneratedColumn[],
  ranges: readonly [number, number][],
  dir: string,
  python: string,
): void {
  const parts = ranges.map(([from, to], k) => ({
    file: path.join(dir, partName(k, "parquet")),
    columns: table.map((c) => ({ name: c.column.fileName, type: c.type, values: c.values.slice(from, to) })),
  }));
  const done = parquetRequest(python, { op: "write", parts });
  if (done.ok) return;
  throw new DagtestError({
    code: "DAGTEST_SYNTH_PARQUET",
    message: `Cannot write the synthesized Parquet data of ${recipe.node}: ${done.message}`,
    hint: done.missingPyarrow
      ? `The config asks for Parquet (output_spec.output_format), which the scripts read with pandas + pyarrow: install pyarrow into ${python}.`
      : "Check that the interpreter runs (`python:` in dagtest.yaml); if it persists, please report it.",
  });
}

/** `rows` split into `parts` contiguous ranges, as even as possible. */
export function partRanges(rows: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < parts; k++)
    out.push([Math.floor((rows * k) / parts), Math.floor((rows * (k + 1)) / parts)]);
  return out;
}

function partName(k: number, format: SynthRecipe["format"]): string {
  return `part-${String(k).padStart(5, "0")}.${format}`;
}

function cell(value: Cell, sep: string): string {
  if (value === null) return "";
  return typeof value === "number" ? String(value) : quote(value, sep);
}

function quote(text: string, sep: string): string {
  return text.includes(sep) || text.includes('"') || text.includes("\n")
    ? `"${text.replaceAll('"', '""')}"`
    : text;
}

/**
 * Sampling line files (CSV, TSV, JSON lines) without reading them whole: a small file is read
 * once; a large one is probed at seeded random byte offsets, taking the line after each offset, so
 * a 50-row sample of a million-row file costs a few thousand small reads. (A line is then picked
 * with a chance that grows with the length of the line before it: fine for test data.)
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Random } from "../synth/random.js";

export type LineKind = "csv" | "tsv" | "jsonl";

export interface LineFile {
  readonly file: string;
  readonly kind: LineKind;
  /** The header line (kept in the copy), or null. */
  readonly header: string | null;
  readonly dataStart: number;
  readonly size: number;
  /** Where the label is in a row: a column index (CSV/TSV), a key (JSON lines), or null. */
  readonly labelAt: number | string | null;
}

export interface Candidate {
  readonly file: string;
  readonly offset: number;
  readonly text: string;
  readonly label: string | null;
}

/** Files up to this size are read whole: exact, and as cheap as probing. */
const READ_WHOLE_BYTES = 4 * 1024 * 1024;
const PROBE_BYTES = 2048;

export function openLineFile(
  file: string,
  kind: LineKind,
  label: string | null,
  signature: readonly string[] | null,
): LineFile {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const head = readBytes(fd, 0, Math.min(size, 65536));
    const firstEnd = head.indexOf(10);
    const first = (firstEnd < 0 ? head : head.subarray(0, firstEnd)).toString("utf8").replace(/\r$/, "");
    if (kind === "jsonl") return { file, kind, header: null, dataStart: 0, size, labelAt: label };
    const sep = kind === "tsv" ? "\t" : ",";
    const fields = splitFields(first, sep).map(undot);
    const sig = signature?.map(undot) ?? null;
    const isHeader = sig
      ? sig.length === fields.length && sig.every((s, i) => s === fields[i])
      : (label !== null && fields.includes(label)) || !fields.some(isNumeric);
    const names = isHeader ? fields : sig;
    const labelAt = label !== null && names ? names.indexOf(label) : -1;
    return {
      file,
      kind,
      header: isHeader ? first : null,
      dataStart: isHeader ? (firstEnd < 0 ? size : firstEnd + 1) : 0,
      size,
      labelAt: labelAt >= 0 ? labelAt : null,
    };
  } finally {
    closeSync(fd);
  }
}

/** About `count` distinct data lines of the file: all of them when it is small. */
export function candidates(
  lf: LineFile,
  count: number,
  rng: Random,
): { lines: Candidate[]; estimatedRows: number } {
  const fd = openSync(lf.file, "r");
  try {
    const span = lf.size - lf.dataStart;
    if (span <= READ_WHOLE_BYTES) {
      const lines: Candidate[] = [];
      const text = readAt(fd, lf.dataStart, span);
      let at = 0;
      while (at < text.length) {
        const end = text.indexOf("\n", at);
        const line = text.slice(at, end < 0 ? text.length : end);
        // Offsets only order and tell rows apart here: a character index will do.
        if (line.trim()) lines.push(candidate(lf, lf.dataStart + at, line));
        at = end < 0 ? text.length : end + 1;
      }
      return { lines, estimatedRows: lines.length };
    }
    const seen = new Map<number, Candidate>();
    for (let k = 0; k < count * 3 && seen.size < count; k++) {
      const probe = lf.dataStart - 1 + Math.floor(rng.next() * span);
      const found = lineAfter(fd, lf, probe);
      if (found && !seen.has(found.offset)) seen.set(found.offset, found);
    }
    const lines = [...seen.values()];
    const average = lines.reduce((a, c) => a + Buffer.byteLength(c.text) + 1, 0) / Math.max(1, lines.length);
    return { lines, estimatedRows: Math.round(span / Math.max(1, average)) };
  } finally {
    closeSync(fd);
  }
}

/** The whole line that starts after byte `probe` (the first data line for a probe before it). */
function lineAfter(fd: number, lf: LineFile, probe: number): Candidate | null {
  let start = lf.dataStart;
  let chunk = readBytes(fd, Math.max(probe, start), Math.min(PROBE_BYTES, lf.size - Math.max(probe, start)));
  if (probe >= lf.dataStart) {
    const nl = chunk.indexOf(10);
    if (nl < 0) return null;
    start = probe + nl + 1;
    chunk = chunk.subarray(nl + 1);
  }
  // Usually the line is already in the probe's chunk: one read per row.
  const parts: Buffer[] = [];
  for (let at = start + chunk.length; ; at += PROBE_BYTES) {
    const nl = chunk.indexOf(10);
    parts.push(nl < 0 ? chunk : chunk.subarray(0, nl));
    if (nl >= 0 || at >= lf.size) break;
    chunk = readBytes(fd, at, Math.min(PROBE_BYTES, lf.size - at));
  }
  const text = Buffer.concat(parts).toString("utf8");
  return text.trim() ? candidate(lf, start, text) : null;
}

function candidate(lf: LineFile, offset: number, text: string): Candidate {
  return { file: lf.file, offset, text, label: labelOf(lf, text.replace(/\r$/, "")) };
}

function labelOf(lf: LineFile, line: string): string | null {
  if (lf.labelAt === null) return null;
  if (lf.kind === "jsonl") {
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      const v = row[lf.labelAt as string];
      return v === undefined || v === null ? null : String(v);
    } catch {
      return null;
    }
  }
  const v = splitFields(line, lf.kind === "tsv" ? "\t" : ",")[lf.labelAt as number];
  return v === undefined || v === "" ? null : v;
}

function readBytes(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  const n = readSync(fd, buf, 0, buf.length, position);
  return buf.subarray(0, n);
}

function readAt(fd: number, position: number, length: number): string {
  return readBytes(fd, position, length).toString("utf8");
}

/** One line's fields, honouring double quotes. */
export function splitFields(line: string, sep: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

const undot = (name: string) => name.trim().replaceAll("__DOT__", ".");
const isNumeric = (v: string) => v.trim() !== "" && Number.isFinite(Number(v));

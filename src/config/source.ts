/**
 * Reading JSON and YAML files so that every later error can point at a file and a line.
 * JSON is parsed with `JSON.parse` (fast, for large DAGs); positions are recovered lazily, only
 * when an error needs them, by re-reading the text with the `yaml` parser (YAML is a superset of
 * JSON and keeps node ranges).
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { LineCounter, Node } from "yaml";
import { DagtestError, type SourceLocation } from "../errors.js";
import { jsonErrorMessage, jsonErrorOffset } from "./json-error.js";
import { yamlOrThrow } from "./lazy.js";
import { exactJson, parseCache } from "./parse-cache.js";

export type PathSegment = string | number;

/** The largest file read: past this, a string of its text (and its parse) would not fit. */
export const MAX_SOURCE_BYTES = 256 * 1024 * 1024;
/** The deepest nesting read: real configs nest a dozen levels; loaders walk values recursively. */
export const MAX_NESTING = 500;

/** A parsed file with the means to turn a data path into a line. */
export class SourceDocument {
  readonly file: string;
  readonly text: string;
  readonly data: unknown;
  #lines: { counter: LineCounter; root: Node | null } | undefined;

  constructor(file: string, text: string, data: unknown) {
    this.file = file;
    this.text = text;
    this.data = data;
  }

  /**
   * The location of the value at `dataPath` (or of its nearest existing parent). With `key`, the
   * location of the last segment's key instead (an unknown field is reported where it is written).
   */
  locate(dataPath: readonly PathSegment[], options: { key?: boolean } = {}): SourceLocation {
    const lines = this.#positions();
    let node: Node | null = lines.root;
    let best: Node | null = node;
    for (const [i, segment] of dataPath.entries()) {
      node = child(node, segment, options.key === true && i === dataPath.length - 1);
      if (!node) break;
      best = node;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return { file: this.file };
    const pos = lines.counter.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  #positions(): { counter: LineCounter; root: Node | null } {
    if (!this.#lines) {
      const { LineCounter, parseDocument } = yamlOrThrow();
      const counter = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: counter, uniqueKeys: false });
      this.#lines = { counter, root: (doc.contents as Node | null) ?? null };
    }
    return this.#lines;
  }
}

function child(node: Node | null, segment: PathSegment, wantKey = false): Node | null {
  const { isMap, isSeq } = yamlOrThrow();
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as { value?: unknown } | null;
      if (key && String(key.value) === String(segment))
        return wantKey ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node));
    }
    // A plain pipeline's nodes are a mapping that the DAG checks see as a list of its keys:
    // index i is the i-th entry, located at its key.
    if (typeof segment === "number") return (node.items[segment]?.key as Node | undefined) ?? null;
    return null;
  }
  if (isSeq(node) && typeof segment === "number") return (node.items[segment] as Node | undefined) ?? null;
  return null;
}

/** Read a file's text, or throw a DagtestError that says which file and why. */
export function readText(file: string, what: string): string {
  try {
    const stat = statSync(file);
    // A device or a pipe has no size to check up front, and can be read only once.
    const special = stat.isFile() || stat.isDirectory() ? undefined : readBounded(file);
    if (special === null || stat.size > MAX_SOURCE_BYTES) {
      const size =
        special === null
          ? `more than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`
          : `${Math.round(stat.size / 1024 / 1024)} MB`;
      throw new DagtestError({
        code: "DAGTEST_FILE_TOO_LARGE",
        message: `The ${what} ${file} is ${size}; dagtest reads files of at most ${MAX_SOURCE_BYTES / 1024 / 1024} MB.`,
        hint: "Check that this is the right file; a DAG or config that large is more than dagtest plans.",
        location: { file },
      });
    }
    return special ? special.toString("utf8") : readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof DagtestError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new DagtestError({
        code: "DAGTEST_FILE_NOT_FOUND",
        message: `The ${what} ${file} does not exist.`,
        hint: "Check the path (relative paths in dagtest.yaml are relative to the folder holding it).",
        location: { file },
        cause: error,
      });
    }
    if (code === "EISDIR") {
      throw new DagtestError({
        code: "DAGTEST_FILE_UNREADABLE",
        message: `The ${what} ${file} is a directory, not a file.`,
        hint: "Name the file itself.",
        location: { file },
      });
    }
    throw new DagtestError({
      code: "DAGTEST_FILE_UNREADABLE",
      message: `The ${what} ${file} cannot be read (${code ?? String(error)}).`,
      hint: "Check the file's permissions.",
      location: { file },
      cause: error,
    });
  }
}

/**
 * The content of a non-regular file (a device, a pipe: /dev/null, /dev/zero, <(cmd)), read once
 * and at most to just past MAX_SOURCE_BYTES; null when there is more than that.
 */
function readBounded(file: string): Buffer | null {
  const fd = openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(1024 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return Buffer.concat(chunks);
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > MAX_SOURCE_BYTES) return null;
    }
  } finally {
    closeSync(fd);
  }
}

export interface ParseOptions {
  /** What to do about an empty file (default: say it must hold a JSON or YAML document). */
  readonly emptyHint?: string;
  /** Parse as YAML whatever the extension (YAML reads JSON too). */
  readonly yaml?: boolean;
}

/**
 * Parse JSON or YAML by extension (`.yaml`/`.yml` → YAML, anything else → JSON). An empty file
 * (or /dev/null) and a document nested past MAX_NESTING are refused with their own codes.
 */
export function parseSource(
  file: string,
  text: string,
  what: string,
  options: ParseOptions = {},
): SourceDocument {
  if (blank(text)) {
    throw new DagtestError({
      code: "DAGTEST_FILE_EMPTY",
      message: `The ${what} ${file} is empty${text.trim() === "" ? "" : " (comments only)"}.`,
      hint: options.emptyHint ?? `Give a file that holds the ${what} as a JSON or YAML document.`,
      location: { file, line: 1 },
    });
  }
  const ext = path.extname(file).toLowerCase();
  const doc =
    options.yaml || ext === ".yaml" || ext === ".yml"
      ? parseYaml(file, text, what)
      : parseJson(file, text, what);
  if (nestedDeeperThan(doc.data, MAX_NESTING)) {
    throw new DagtestError({
      code: "DAGTEST_TOO_DEEP",
      message: `The ${what} ${file} nests lists or objects more than ${MAX_NESTING} levels deep.`,
      hint: "Check that this is the right file: no DAG, config or spec nests that deep.",
      location: { file },
    });
  }
  return doc;
}

/** Nothing but whitespace and `#` comment lines (as YAML sees them; JSON has no comments). */
function blank(text: string): boolean {
  return text.split("\n").every((line) => {
    const trimmed = line.trim();
    return trimmed === "" || trimmed.startsWith("#");
  });
}

/** Read and parse in one go. */
export function loadSource(file: string, what: string, options: ParseOptions = {}): SourceDocument {
  return parseSource(file, readText(file, what), what, options);
}

/** Is any value more than `max` lists or objects deep? Iterative: the input may be hostile. */
function nestedDeeperThan(data: unknown, max: number): boolean {
  // Two parallel stacks, not one of pairs: a large DAG or config has a value per node.
  const values: unknown[] = [data];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= max) return true;
    if (Array.isArray(value)) {
      for (const inner of value) {
        // A leaf needs no visit of its own.
        if (typeof inner === "object" && inner !== null) {
          values.push(inner);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const inner = (value as Record<string, unknown>)[key];
        if (typeof inner === "object" && inner !== null && Object.hasOwn(value, key)) {
          values.push(inner);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

function parseJson(file: string, text: string, what: string): SourceDocument {
  try {
    return new SourceDocument(file, text, JSON.parse(text));
  } catch (error) {
    const message = jsonErrorMessage(error instanceof Error ? error.message : String(error));
    const location = jsonErrorLocation(file, text, message);
    throw new DagtestError({
      code: "DAGTEST_PARSE_ERROR",
      message: `The ${what} is not valid JSON: ${message}`,
      hint: "Fix the JSON syntax at the line shown (a trailing comma or a missing quote is the usual cause).",
      location,
      cause: error,
    });
  }
}

/**
 * The line and column of a JSON error: from the strict scanner (Node 20 gives no position for
 * "Unexpected token"), else from `at position N`, else the end of the text.
 */
function jsonErrorLocation(file: string, text: string, message: string): SourceLocation {
  const match = /position (\d+)/.exec(message);
  const offset =
    jsonErrorOffset(text) ?? (match ? Number(match[1]) : text.trimEnd().length === 0 ? 0 : text.length);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { file, line, column };
}

/**
 * YAML already parsed by this process, by text (as JSON text: each reader gets its own copy):
 * watch mode, the factory and the UI plan the same interfaces again and again.
 */
const parsedHere = new Map<string, string>();
const PARSED_HERE_MAX = 500;

function parseYaml(file: string, text: string, what: string): SourceDocument {
  const here = parsedHere.get(text);
  if (here !== undefined) return new SourceDocument(file, text, JSON.parse(here) as unknown);
  const cached = parseCache()?.get(text);
  if (cached) return new SourceDocument(file, text, cached.data);
  const { LineCounter, parseDocument } = yamlOrThrow();
  const counter = new LineCounter();
  // logLevel: a key that is itself a list or a map is stringified without a process warning.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, logLevel: "error" });
  const first = doc.errors[0];
  if (first) {
    const pos = counter.linePos(first.pos[0]);
    throw new DagtestError({
      code: "DAGTEST_PARSE_ERROR",
      message: `The ${what} is not valid YAML: ${first.message.split("\n")[0]}`,
      hint: "Fix the YAML at the line shown (indentation and unquoted ':' are the usual causes).",
      location: { file, line: pos.line, column: pos.col },
    });
  }
  const data = doc.toJS();
  parseCache()?.put(text, data);
  rememberHere(text, data);
  return new SourceDocument(file, text, data);
}

function rememberHere(text: string, data: unknown): void {
  const json = exactJson(data);
  if (json === null) return;
  if (parsedHere.size >= PARSED_HERE_MAX) parsedHere.delete(parsedHere.keys().next().value!);
  parsedHere.set(text, json);
}

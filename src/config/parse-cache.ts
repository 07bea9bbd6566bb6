/**
 * Parsed YAML, remembered by content. Parsing a project's YAML (dagtest.yaml and every
 * `*.step.yaml`) with the `yaml` parser is most of an unchanged rerun's planning time; the data
 * of a file whose text is unchanged is read back from `.dagtest/cache/parsed.json` instead
 * (keyed by the text's hash, so an edit is always seen). Only text that parsed without error
 * is stored; positions for error messages are still computed from the text, on demand.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The file's format; parsed data depends on the text and the parser alone. */
const FORMAT = 1;

/** Entries kept besides the ones this command used, so other commands' files stay cached. */
const KEEP_UNUSED = 200;

class ParseCache {
  readonly #file: string;
  #entries: Record<string, unknown> | null = null;
  readonly #used = new Set<string>();
  #dirty = false;

  constructor(file: string) {
    this.#file = file;
  }

  get(text: string): { data: unknown } | null {
    const key = hashOf(text);
    const entries = this.#load();
    if (!Object.hasOwn(entries, key)) return null;
    this.#used.add(key);
    return { data: JSON.parse(entries[key] as string) as unknown };
  }

  /** Stored as JSON text now (later code may change the data); not when JSON cannot hold it (.inf, .nan). */
  put(text: string, data: unknown): void {
    const json = exactJson(data);
    if (json === null) return;
    const key = hashOf(text);
    this.#load()[key] = json;
    this.#used.add(key);
    this.#dirty = true;
  }

  save(): void {
    if (!this.#dirty || !this.#entries) return;
    const keys = Object.keys(this.#entries);
    const unused = keys.filter((k) => !this.#used.has(k)).slice(-KEEP_UNUSED);
    const kept = Object.fromEntries([...unused, ...this.#used].map((k) => [k, this.#entries![k]]));
    try {
      mkdirSync(path.dirname(this.#file), { recursive: true });
      writeFileSync(`${this.#file}.tmp`, JSON.stringify({ format: FORMAT, entries: kept }));
      renameSync(`${this.#file}.tmp`, this.#file);
    } catch {
      // A read-only project still plans; it only parses again next time.
    }
  }

  #load(): Record<string, unknown> {
    if (this.#entries) return this.#entries;
    try {
      const stored = JSON.parse(readFileSync(this.#file, "utf8")) as { format?: unknown; entries?: unknown };
      this.#entries =
        stored.format === FORMAT && typeof stored.entries === "object" && stored.entries !== null
          ? (stored.entries as Record<string, unknown>)
          : {};
    } catch {
      this.#entries = {};
    }
    return this.#entries;
  }
}

let active: ParseCache | null = null;

/** Run `load` with YAML parses remembered in `file`; saved when it returns. */
export function withParseCache<T>(file: string, load: () => T): T {
  if (active) return load();
  const cache = new ParseCache(file);
  active = cache;
  try {
    return load();
  } finally {
    active = null;
    cache.save();
  }
}

/** The cache of the load in progress, if any. */
export function parseCache(): Pick<ParseCache, "get" | "put"> | null {
  return active;
}

/** JSON text that gives back exactly `data`, or null (JSON has no Infinity or NaN). */
export function exactJson(data: unknown): string | null {
  let exact = true;
  const json = JSON.stringify(data, (_key, value: unknown) => {
    if (typeof value === "number" && !Number.isFinite(value)) exact = false;
    return value;
  });
  return exact && json !== undefined ? json : null;
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 32);
}

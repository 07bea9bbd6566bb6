/**
 * The file behind the remembered static check (`.dagtest/cache/describe.json`) and the readings
 * of the filesystem it is checked against: folder mtimes, folder listings, file contents.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { DescribeResult } from "../model/script-facts.js";

export const FORMAT = 4;

export interface Stored {
  readonly format: typeof FORMAT;
  /** Everything the result depends on that Python need not be asked about. */
  readonly key: string;
  /** The same without the scripts: the interpreter, the runner, PYTHONPATH and the packages. */
  readonly base: string;
  /** Script → sha256 of its content when it was described. */
  readonly scripts: Readonly<Record<string, string>>;
  /** sys.path folder → mtimeMs when the result was made. */
  readonly folders: Readonly<Record<string, number>>;
  /** Local import folder → its listing when the result was made. */
  readonly listings: Readonly<Record<string, string>>;
  /** Local file a script imports (directly or not) → sha256 of its content when the result was made. */
  readonly files: Readonly<Record<string, string>>;
  readonly result: DescribeResult;
}

/** sha256 of a file's content; "" when it cannot be read (reading it again later must agree). */
export function contentHash(file: string): string {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "";
  }
}

/** A folder's entries (a trailing / marks folders), without bytecode caches; "" when unreadable. */
export function listingOf(dir: string): string {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.name !== "__pycache__")
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort()
      .join("\n");
  } catch {
    return "";
  }
}

export function mtimeOf(dir: string): number | null {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return null;
  }
}

export function madeDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false; // read-only: plan without the speed-up
  }
}

export function readStored(file: string): Stored | null {
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Stored;
    return stored.format === FORMAT ? stored : null;
  } catch {
    return null;
  }
}

/** Atomic, with a temp name of its own: two runs at once must not rename each other's file. */
export function writeStored(file: string, stored: Stored): void {
  try {
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, JSON.stringify(stored));
    renameSync(tmp, file);
  } catch {
    // Only a speed-up: a project we cannot write to still plans, just without it.
  }
}

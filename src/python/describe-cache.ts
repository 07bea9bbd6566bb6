/**
 * The static check remembered between runs: `dagtest run` plans afresh every time, and the Python
 * `describe` process is most of an unchanged rerun's time. The last good result is kept in
 * `.dagtest/cache/describe.json` and reused while nothing it depends on changed:
 *
 * - the request (scripts and packages) and each script's content;
 * - the content of every local file the scripts import, directly or through each other (their
 *   `localClosure`): a helper's own imports decide which files the closure holds;
 * - dagtest's runner code, the interpreter binary and `PYTHONPATH`;
 * - the listings of the folders that decided which imports are local (the runner reports them
 *   as `listedFolders`; `__pycache__`, which Python itself adds, is left out);
 * - the interpreter's `sys.path` folders: installing or removing a package changes the mtime
 *   of its site-packages.
 *
 * A result that reports a missing package or module, or a script that cannot be read, is never
 * kept: that is what the user is fixing right now, and it must be checked again every time.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describeCacheFile } from "../model/layout.js";
import type { DescribeResult } from "../model/script-facts.js";
import { type DescribeOutcome, describeScripts, runnerDir } from "./describe.js";

const FORMAT = 3;

interface Stored {
  readonly format: typeof FORMAT;
  readonly key: string;
  /** sys.path folder → mtimeMs when the result was made. */
  readonly folders: Readonly<Record<string, number>>;
  /** Local import folder → its listing when the result was made. */
  readonly listings: Readonly<Record<string, string>>;
  /** Local file a script imports (directly or not) → sha256 of its content when the result was made. */
  readonly files: Readonly<Record<string, string>>;
  readonly result: DescribeResult;
}

/** `describeScripts`, answered from `<stateDir>/.dagtest/cache/describe.json` when still valid. */
export async function describeScriptsCached(
  stateDir: string,
  python: string,
  scripts: readonly string[],
  packages: readonly string[],
): Promise<DescribeOutcome> {
  const file = describeCacheFile(stateDir);
  const key = requestKey(python, scripts, packages);
  if (key === null) return describeScripts(python, scripts, packages);
  const stored = read(file);
  if (
    stored?.key === key &&
    Object.entries(stored.folders).every(([dir, mtime]) => mtimeOf(dir) === mtime) &&
    Object.entries(stored.listings).every(([dir, names]) => listingOf(dir) === names) &&
    Object.entries(stored.files).every(([file, hash]) => contentHash(file) === hash)
  )
    return { ok: true, result: stored.result };
  const [outcome, sysPath] = await Promise.all([
    describeScripts(python, scripts, packages),
    sysPathOf(python),
  ]);
  // The folder is made before the mtimes are read: creating .dagtest/ changes the project folder.
  if (outcome.ok && sysPath && keepable(outcome.result) && madeDir(path.dirname(file))) {
    const folders: Record<string, number> = {};
    for (const dir of sysPath) {
      const mtime = mtimeOf(dir);
      if (mtime !== null) folders[dir] = mtime;
    }
    const listings: Record<string, string> = {};
    for (const dir of localFolders(outcome.result)) listings[dir] = listingOf(dir);
    const files: Record<string, string> = {};
    for (const local of localFiles(outcome.result)) files[local] = contentHash(local);
    write(file, { format: FORMAT, key, folders, listings, files, result: outcome.result });
  }
  return outcome;
}

/** A hash of everything the result depends on that can be read without Python; null if unreadable. */
function requestKey(python: string, scripts: readonly string[], packages: readonly string[]): string | null {
  try {
    const hash = createHash("sha256");
    const exe = statSync(python);
    hash.update(JSON.stringify([FORMAT, python, realpathSync(python), exe.size, exe.mtimeMs, packages]));
    hash.update(`\0${process.env.PYTHONPATH ?? ""}\0`);
    const runner = path.join(runnerDir(), "dagtest_runner");
    for (const name of readdirSync(runner)
      .filter((n) => n.endsWith(".py"))
      .sort())
      hash.update(name).update(readFileSync(path.join(runner, name)));
    for (const script of scripts) hash.update(`\0${script}\0`).update(readFileSync(script));
    return hash.digest("hex");
  } catch {
    return null; // a missing script or interpreter: describe reports it properly, uncached
  }
}

function keepable(result: DescribeResult): boolean {
  return (
    Object.values(result.scripts).every((s) => s.ok) &&
    Object.values(result.packages).every((v) => v !== null) &&
    Object.values(result.modules).every(Boolean)
  );
}

/** The folders whose listings decided which of the scripts' imports are local, and the scripts' own. */
function localFolders(result: DescribeResult): string[] {
  const out = new Set(result.listedFolders);
  for (const facts of Object.values(result.scripts)) out.add(path.dirname(facts.path));
  return [...out];
}

/** Every local file the scripts import, directly or through each other. */
function localFiles(result: DescribeResult): string[] {
  return [...new Set(Object.values(result.scripts).flatMap((facts) => (facts.ok ? facts.localClosure : [])))];
}

/** sha256 of a file's content; "" when it cannot be read (reading it again later must agree). */
function contentHash(file: string): string {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "";
  }
}

/** The interpreter's import path (without the script-dependent first entry), or null. */
function sysPathOf(python: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    execFile(
      python,
      ["-c", "import json, sys; print(json.dumps(sys.path[1:]))"],
      { timeout: 30_000 },
      (error, stdout) => {
        try {
          resolve(error ? null : (JSON.parse(stdout) as string[]));
        } catch {
          resolve(null);
        }
      },
    );
  });
}

function madeDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false; // read-only: plan without the speed-up
  }
}

/** A folder's entries (a trailing / marks folders), without bytecode caches; "" when unreadable. */
function listingOf(dir: string): string {
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

function mtimeOf(dir: string): number | null {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return null;
  }
}

function read(file: string): Stored | null {
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Stored;
    return stored.format === FORMAT ? stored : null;
  } catch {
    return null;
  }
}

/** Atomic, with a temp name of its own: two runs at once must not rename each other's file. */
function write(file: string, stored: Stored): void {
  try {
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, JSON.stringify(stored));
    renameSync(tmp, file);
  } catch {
    // Only a speed-up: a project we cannot write to still plans, just without it.
  }
}

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
 * After an edit (the inner loop), only what changed is asked again: when the interpreter, the
 * runner, the packages, the sys.path folders and the listings are as they were, Python describes
 * just the scripts whose content or local imports changed (and new ones), without reading the
 * packages' metadata, and the rest of the result is kept.
 *
 * A result that reports a missing package or module, or a script that cannot be read, is never
 * kept: that is what the user is fixing right now, and it must be checked again every time.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { describeCacheFile } from "../model/layout.js";
import type { DescribeResult } from "../model/script-facts.js";
import { type DescribeOutcome, describeScripts, runnerDir } from "./describe.js";
import {
  contentHash,
  FORMAT,
  listingOf,
  madeDir,
  mtimeOf,
  readStored,
  type Stored,
  writeStored,
} from "./describe-cache-store.js";
import { mergeDescribed } from "./describe-merge.js";

/** `describeScripts`, answered from `<stateDir>/.dagtest/cache/describe.json` when still valid. */
export async function describeScriptsCached(
  stateDir: string,
  python: string,
  scripts: readonly string[],
  packages: readonly string[],
): Promise<DescribeOutcome> {
  const file = describeCacheFile(stateDir);
  const base = baseKey(python, packages);
  const hashes = scriptHashes(scripts);
  if (base === null || hashes === null) return describeScripts(python, scripts, packages);
  const key = fullKey(base, scripts, hashes);
  const stored = readStored(file);
  const sameSurroundings = stored !== null && foldersUnchanged(stored) && listingsUnchanged(stored);
  if (stored && sameSurroundings && stored.key === key && filesUnchanged(stored))
    return { ok: true, result: stored.result };
  if (stored && sameSurroundings && stored.base === base) {
    const changed = scripts.filter((s) => stored.scripts[s] !== hashes[s] || closureChanged(stored, s));
    const outcome =
      changed.length > 0
        ? await describeScripts(python, changed, [])
        : { ok: true as const, result: { ...stored.result, scripts: {}, modules: {}, listedFolders: [] } };
    const merged = outcome.ok ? mergeDescribed(stored.result, outcome.result, scripts) : null;
    if (merged) {
      if (keepable(merged)) save(file, { ...stored, key, scripts: hashes, result: merged });
      return { ok: true, result: merged };
    }
  }
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
    save(file, {
      format: FORMAT,
      key,
      base,
      scripts: hashes,
      folders,
      listings: {},
      files: {},
      result: outcome.result,
    });
  }
  return outcome;
}

/** Store a result with the listings and local files it depends on, read now. */
function save(file: string, stored: Stored): void {
  const listings: Record<string, string> = {};
  for (const dir of localFolders(stored.result)) listings[dir] = listingOf(dir);
  const files: Record<string, string> = {};
  for (const local of localFiles(stored.result)) files[local] = contentHash(local);
  writeStored(file, { ...stored, listings, files });
}

function foldersUnchanged(stored: Stored): boolean {
  return Object.entries(stored.folders).every(([dir, mtime]) => mtimeOf(dir) === mtime);
}

function listingsUnchanged(stored: Stored): boolean {
  return Object.entries(stored.listings).every(([dir, names]) => listingOf(dir) === names);
}

function filesUnchanged(stored: Stored): boolean {
  return Object.entries(stored.files).every(([file, hash]) => contentHash(file) === hash);
}

/** A local file the script imports (directly or not) changed since it was described. */
function closureChanged(stored: Stored, script: string): boolean {
  const facts = stored.result.scripts[script];
  if (!facts?.ok) return true;
  return facts.localClosure.some((file) => stored.files[file] !== contentHash(file));
}

/** What the result depends on besides the scripts, readable without Python; null if unreadable. */
function baseKey(python: string, packages: readonly string[]): string | null {
  try {
    const hash = createHash("sha256");
    const exe = statSync(python);
    hash.update(JSON.stringify([FORMAT, python, realpathSync(python), exe.size, exe.mtimeMs, packages]));
    hash.update(`\0${process.env.PYTHONPATH ?? ""}\0`);
    // The runner's files by size and time (an install or an edit rewrites them): reading and
    // hashing them all cost every command ~8 ms.
    const runner = path.join(runnerDir(), "dagtest_runner");
    for (const name of readdirSync(runner)
      .filter((n) => n.endsWith(".py"))
      .sort()) {
      const file = statSync(path.join(runner, name));
      hash.update(`\0${name}\0${file.size}\0${file.mtimeMs}`);
    }
    return hash.digest("hex");
  } catch {
    return null; // a missing interpreter: describe reports it properly, uncached
  }
}

/** Each script's content hash; null when one cannot be read (describe reports it, uncached). */
function scriptHashes(scripts: readonly string[]): Record<string, string> | null {
  const hashes: Record<string, string> = {};
  for (const script of scripts) {
    try {
      hashes[script] = createHash("sha256").update(readFileSync(script)).digest("hex");
    } catch {
      return null;
    }
  }
  return hashes;
}

function fullKey(base: string, scripts: readonly string[], hashes: Record<string, string>): string {
  const hash = createHash("sha256").update(base);
  for (const script of scripts) hash.update(`\0${script}\0${hashes[script]}`);
  return hash.digest("hex");
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

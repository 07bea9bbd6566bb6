/**
 * The local content-addressed cache under `.dagtest/cache/`: fingerprint → the outputs a node
 * produced. Entries are written to a temp folder and renamed into place, so a reader never sees
 * half an entry and two runs at once never corrupt one; every file is verified before reuse (by
 * hash, or by its settled stamp when it has not been touched since its hash was checked: stamp.ts),
 * and a damaged entry is discarded. Outputs are restored as copies (reflinks where the
 * file system has them), never as shared writable folders.
 */
import { randomBytes } from "node:crypto";
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { cacheDir } from "../model/layout.js";
import type { DataProfile } from "../model/run.js";
import { type CachedFile, type CacheEntry, parseEntry } from "./entry.js";
import type { FingerprintData } from "./fingerprint.js";
import { copyIn, hashAndStamp, once, probeNow, stateOf, withStamp, writeAtomically } from "./stamp.js";

export type { CachedFile, CacheEntry } from "./entry.js";

export type RestoreResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * What the engine uses of a store of node outputs (`CacheStep` and the run session): every store
 * (the local one now, a shared or remote one later) implements it and passes
 * tests/conformance/cache.suite.ts, which tests exactly these methods.
 */
export type NodeCache = Pick<
  LocalCache,
  "get" | "verify" | "storedPort" | "copyOut" | "put" | "remember" | "lastData" | "evict"
>;

/** The folders of `.dagtest/cache/` that hold results (the rest are remembered checks). */
const RESULT_FOLDERS = ["entries", "nodes", "tmp"] as const;

export class LocalCache implements NodeCache {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = cacheDir(stateDir);
  }

  #entryDir(fingerprint: string): string {
    return path.join(this.dir, "entries", fingerprint.slice(0, 2), fingerprint);
  }

  /**
   * The stored entry for a fingerprint, or null. An entry folder whose entry.json is missing,
   * unreadable or not an entry for this fingerprint is damaged (entries appear whole, by a
   * rename): it is discarded, so the next run stores a good one in its place.
   */
  get(fingerprint: string): CacheEntry | null {
    const dir = this.#entryDir(fingerprint);
    const text = readText(path.join(dir, "entry.json"));
    const entry = text === null ? null : parseEntry(text, fingerprint);
    if (entry === null && existsSync(dir)) this.discard(fingerprint);
    return entry;
  }

  /** Copy an entry's files into the run's output folders, verifying every hash first. */
  restore(entry: CacheEntry, outputs: Readonly<Record<string, string>>): RestoreResult {
    const verified = this.verify(entry, Object.keys(outputs));
    return verified.ok ? this.copyOut(entry, outputs) : verified;
  }

  /**
   * Check that an entry has every port and that every stored file still has its hash (a damaged
   * entry is discarded), and mark it recently used. Nothing is copied.
   */
  verify(entry: CacheEntry, ports: readonly string[]): RestoreResult {
    const lacking = ports.filter((port) => !entry.ports.includes(port));
    if (lacking.length > 0)
      return { ok: false, reason: `the cached result has no output ${lacking.join(", ")}` };
    const base = path.join(this.#entryDir(entry.fingerprint), "files");
    const probe = once(() => probeNow(path.join(this.dir, "tmp")));
    let restamped = false;
    const files: CachedFile[] = [];
    for (const file of entry.files) {
      const stored = path.join(base, file.port, file.rel);
      // A file stamped when its hash was last checked, and not touched since, is not read again.
      if (file.stamp !== undefined && stateOf(stored)?.stamp === file.stamp) {
        files.push(file);
        continue;
      }
      const checked = hashAndStamp(stored, probe);
      if (!checked || checked.size !== file.size || checked.sha256 !== file.sha256) {
        this.discard(entry.fingerprint);
        return { ok: false, reason: `the cached copy of ${file.port}/${file.rel} is damaged; discarded` };
      }
      restamped ||= checked.stamp !== null;
      files.push(withStamp(file, checked.stamp));
    }
    try {
      const record = path.join(this.#entryDir(entry.fingerprint), "entry.json");
      // Rewriting the record (with the new stamps) marks it used, as touching it does.
      if (restamped) writeAtomically(record, JSON.stringify({ ...entry, files }, null, 2));
      else {
        const now = new Date();
        utimesSync(record, now, now);
      }
    } catch (error) {
      return { ok: false, reason: `the cache entry went away while checking it (${errorCode(error)})` };
    }
    return { ok: true };
  }

  /** Where a verified entry keeps a port's files: read them, never write there. */
  storedPort(entry: CacheEntry, port: string): string {
    return path.join(this.#entryDir(entry.fingerprint), "files", port);
  }

  /** Copy a verified entry's files into output folders (copies or reflinks, never shared folders). */
  copyOut(entry: CacheEntry, outputs: Readonly<Record<string, string>>): RestoreResult {
    const base = path.join(this.#entryDir(entry.fingerprint), "files");
    try {
      for (const port of entry.ports) {
        const target = outputs[port];
        if (!target) continue;
        rmSync(target, { recursive: true, force: true });
        mkdirSync(target, { recursive: true });
      }
      const made = new Set(Object.values(outputs));
      for (const file of entry.files) {
        const target = outputs[file.port];
        if (!target) continue;
        const to = path.join(target, file.rel);
        // One mkdir per folder, not per file.
        if (!made.has(path.dirname(to))) {
          mkdirSync(path.dirname(to), { recursive: true });
          made.add(path.dirname(to));
        }
        copyFileSync(path.join(base, file.port, file.rel), to, constants.COPYFILE_FICLONE);
      }
    } catch (error) {
      // Another run evicted or cleaned the entry between the check and the copy: a miss, not a
      // crash; the entry is not ours to discard, and the node simply runs.
      return { ok: false, reason: `the cache entry went away while restoring it (${errorCode(error)})` };
    }
    return { ok: true };
  }

  /**
   * Store a node's outputs; a concurrent writer of the same fingerprint wins harmlessly.
   * `profiles`: what each port holds, as the run profiled it (kept for restored nodes' edges).
   */
  put(
    fingerprint: string,
    node: string,
    data: FingerprintData,
    outputs: Readonly<Record<string, string>>,
    durationMs: number,
    profiles: Readonly<Record<string, DataProfile>> = {},
  ): void {
    const tmp = path.join(this.dir, "tmp", `${fingerprint.slice(0, 12)}-${randomBytes(4).toString("hex")}`);
    try {
      const files = copyIn(outputs, path.join(tmp, "files"), path.join(this.dir, "tmp"));
      const known = Object.entries(profiles).filter(([port]) => port in outputs);
      const entry: CacheEntry = {
        fingerprint,
        node,
        createdAt: new Date().toISOString(),
        data,
        ports: Object.keys(outputs),
        files,
        durationMs,
        ...(known.length > 0 ? { profiles: Object.fromEntries(known) } : {}),
      };
      writeFileSync(path.join(tmp, "entry.json"), JSON.stringify(entry, null, 2));
      const final = this.#entryDir(fingerprint);
      mkdirSync(path.dirname(final), { recursive: true });
      // A good entry already there wins; a damaged one (get discards it) is replaced.
      if (existsSync(final) && this.get(fingerprint)) rmSync(tmp, { recursive: true, force: true });
      else renameSync(tmp, final);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      // Another run renamed the same fingerprint into place first: its entry is as good as ours.
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    }
    this.remember(node, data);
  }

  discard(fingerprint: string): void {
    rmSync(this.#entryDir(fingerprint), { recursive: true, force: true });
  }

  /** The fingerprint data a node last ran (or restored) with, to explain why it runs again. */
  lastData(node: string): FingerprintData | null {
    try {
      return JSON.parse(
        readFileSync(path.join(this.dir, "nodes", `${node}.json`), "utf8"),
      ) as FingerprintData;
    } catch {
      return null;
    }
  }

  /** Record the fingerprint data a node ran (or was restored) with. */
  remember(node: string, data: FingerprintData): void {
    const file = path.join(this.dir, "nodes", `${node}.json`);
    const text = JSON.stringify(data);
    if (readText(file) === text) return; // an unchanged rerun writes nothing
    mkdirSync(path.dirname(file), { recursive: true });
    // A temp name of its own: two runs remembering the same node must not rename each other's.
    writeAtomically(file, text);
  }

  /** Evict least-recently-used entries until the cache holds at most `maxBytes`. */
  evict(maxBytes: number): { removed: number; bytes: number } {
    const entries = this.#entries().sort((a, b) => a.usedAt - b.usedAt);
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    let removed = 0;
    for (const entry of entries) {
      if (total <= maxBytes) break;
      this.discard(entry.fingerprint);
      total -= entry.bytes;
      removed++;
    }
    this.#sweepTemp();
    return { removed, bytes: total };
  }

  /** Remove everything; returns how many entries there were. */
  /**
   * Remove every stored result (entries, what each node last ran with, temp folders). What
   * dagtest remembers of the project's files beside them (the static check, the parsed
   * dagtest.yaml) stays: it is keyed by those files, never stale, and is no result; `all`
   * removes it too.
   */
  clean(options: { readonly all?: boolean } = {}): number {
    const count = this.#entries().length;
    const parts = options.all ? [this.dir] : RESULT_FOLDERS.map((part) => path.join(this.dir, part));
    for (const part of parts) rmSync(part, { recursive: true, force: true });
    return count;
  }

  #entries(): { fingerprint: string; bytes: number; usedAt: number }[] {
    const root = path.join(this.dir, "entries");
    if (!existsSync(root)) return [];
    const out: { fingerprint: string; bytes: number; usedAt: number }[] = [];
    for (const prefix of readdirSync(root)) {
      for (const fingerprint of listDir(path.join(root, prefix))) {
        const entry = this.get(fingerprint);
        let usedAt = 0;
        try {
          usedAt = statSync(path.join(root, prefix, fingerprint, "entry.json")).mtimeMs;
        } catch {
          // No entry.json (half removed by another run): oldest of all, evicted first.
        }
        out.push({ fingerprint, bytes: entry?.files.reduce((s, f) => s + f.size, 0) ?? 0, usedAt });
      }
    }
    return out;
  }

  /** Temp folders left by a run killed mid-write (older than an hour) are removed. */
  #sweepTemp(): void {
    const tmp = path.join(this.dir, "tmp");
    if (!existsSync(tmp)) return;
    const hourAgo = Date.now() - 3600_000;
    for (const name of listDir(tmp)) {
      const full = path.join(tmp, name);
      try {
        if (statSync(full).mtimeMs < hourAgo) rmSync(full, { recursive: true, force: true });
      } catch {
        // Renamed into place by a run that is writing right now: not debris.
      }
    }
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** A folder's names, or none when another run removed it meanwhile. */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

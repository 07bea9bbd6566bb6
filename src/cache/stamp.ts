/**
 * Checking a stored file without reading it, the way git's index and DVC's state database do: a
 * file whose hash was checked is stamped with its size, mtime, ctime and inode, and is trusted
 * while they match. Any write, truncation, replacement, `touch` or `chmod` changes the ctime, which
 * no user can set back (only by moving the system clock); a stamp that does not match sends the
 * file back to a full hash.
 *
 * Stamps are only recorded once they are *settled*: a file system gives timestamps of some
 * granularity (a clock tick, a second on some), and a write in the same tick as the stamped
 * change would leave the stamp intact. So a stamp is recorded only when a probe written before
 * the hash got a later timestamp than the file's ctime (git's "racily clean" rule): every write
 * after the probe then gets a later ctime than the stamp holds, and the hash covered every write
 * before it.
 */
import { randomBytes } from "node:crypto";
import {
  type BigIntStats,
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { hashFileContent, listFiles } from "../util/files.js";
import type { CachedFile } from "./entry.js";

interface FileState {
  readonly stamp: string;
  readonly size: number;
  readonly ctimeNs: bigint;
}

/** A file's size and stamp now, or null when it is missing or not a file. */
export function stateOf(file: string): FileState | null {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return null;
  }
  if (!stats?.isFile()) return null;
  return {
    stamp: `${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.ino}`,
    size: Number(stats.size),
    ctimeNs: stats.ctimeNs,
  };
}

/**
 * The file system's "now" in `dir`'s file system: the ctime of a fresh probe file (created and
 * removed). A file whose ctime is earlier than this can no longer change without its ctime moving.
 */
export function probeNow(dir: string): bigint {
  mkdirSync(dir, { recursive: true });
  const probe = path.join(dir, `probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(probe, "wx");
  try {
    return fstatSync(fd, { bigint: true }).ctimeNs;
  } finally {
    closeSync(fd);
    unlinkSync(probe);
  }
}

/**
 * Hash a file, with its size and settled stamp: the stamp is null when the file changed while it
 * was hashed or its timestamps are not settled yet. `probe` is called before the hash (callers
 * take it once per batch); null when the file is missing.
 */
export function hashAndStamp(
  file: string,
  probe: () => bigint,
): { size: number; sha256: string; stamp: string | null } | null {
  const before = stateOf(file);
  if (!before) return null;
  const settled = before.ctimeNs < probe();
  let sha256: string;
  try {
    sha256 = hashFileContent(file);
  } catch {
    return null;
  }
  const after = stateOf(file);
  const stamp = settled && after?.stamp === before.stamp ? before.stamp : null;
  return { size: before.size, sha256, stamp };
}

/** Calls `make` once, on first use: a probe only when some file must be hashed. */
export function once<T>(make: () => T): () => T {
  let value: { v: T } | null = null;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
}

/** Unsettled copies this large are worth waiting a clock tick for (a few ms) rather than hashing again. */
export const WAIT_FOR_TICK_BYTES = 16 * 1024 * 1024;
/** The longest wait for the file system's clock to pass the copies' (a 1 s clock is not waited for). */
const MAX_TICK_WAIT_MS = 50;

/**
 * Copy every output file under `into` (port/rel), hashed and stamped; returns their records.
 * `probeDir`: where to probe the file system's now (see `probeNow`).
 */
export function copyIn(
  outputs: Readonly<Record<string, string>>,
  into: string,
  probeDir: string,
  waitForTickBytes = WAIT_FOR_TICK_BYTES,
): CachedFile[] {
  const copied: { port: string; rel: string; to: string }[] = [];
  for (const [port, dir] of Object.entries(outputs)) {
    for (const file of listFiles(dir)) {
      const rel = path.relative(dir, file);
      const to = path.join(into, port, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(file, to, constants.COPYFILE_FICLONE);
      copied.push({ port, rel, to });
    }
  }
  const probe = once(() =>
    probeAfterCopies(
      copied.map((c) => c.to),
      probeDir,
      waitForTickBytes,
    ),
  );
  return copied.map(({ port, rel, to }) => {
    const checked = hashAndStamp(to, probe);
    if (!checked) throw new Error(`${to} vanished while it was stored`);
    return withStamp({ port, rel, size: checked.size, sha256: checked.sha256 }, checked.stamp);
  });
}

/**
 * The probe for freshly copied files. A copy written in the file system's current clock tick
 * cannot be stamped (see the module doc), and its entry's settling would read it again; when
 * such copies add up to `waitForTickBytes` or more, the tick is waited out first (a few ms of a
 * chore, against a second read of them).
 */
function probeAfterCopies(files: readonly string[], dir: string, waitForTickBytes: number): bigint {
  let probe = probeNow(dir);
  const states = files.map(stateOf);
  const unsettled = states.reduce((sum, s) => sum + (s && s.ctimeNs >= probe ? s.size : 0), 0);
  if (unsettled < waitForTickBytes) return probe;
  const newest = states.reduce((max, s) => (s && s.ctimeNs > max ? s.ctimeNs : max), 0n);
  const deadline = Date.now() + MAX_TICK_WAIT_MS;
  while (probe <= newest && Date.now() < deadline) {
    Atomics.wait(TICK, 0, 0, 1); // a synchronous 1 ms sleep: the store is synchronous
    probe = probeNow(dir);
  }
  return probe;
}

const TICK = new Int32Array(new SharedArrayBuffer(4));

export function withStamp(file: CachedFile, stamp: string | null): CachedFile {
  const { stamp: _old, ...rest } = file;
  return stamp === null ? rest : { ...rest, stamp };
}

/** Replace a file by a rename, so a reader sees the old text or the new one, never half. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

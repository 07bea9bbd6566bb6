/**
 * The `.dagtest/` folder as a typed API: every path dagtest reads or writes under a project, and
 * the run record (`run.json`) read and written in one place, with its version checked, so a
 * record from another version is "no record", never a half-understood one.
 *
 * ```text
 * <stateDir>/.dagtest/
 *   runs/<run-id>/run.json            {plan, result}
 *   runs/<run-id>/<node>/             job.json, outcome.json, in/<port>/, out/<port>/, work/, tmp/, empty/, logs/
 *   cache/entries/<fp[0:2]>/<fp>/     the content-addressed cache (cache/store.ts)
 *   cache/describe.json               the static check's reusable result (python/describe-cache.ts)
 *   warm/<key>.json|.sock|.log        a warm server kept between commands: record, socket, stderr (exec/kept-server.ts)
 * ```
 */
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Plan } from "./plan.js";
import { RUN_RECORD_VERSION, type RunResult } from "./run.js";

/** The folder dagtest keeps its state in, inside the project root. */
export const STATE_FOLDER = ".dagtest";

export function stateRoot(stateDir: string): string {
  return path.join(stateDir, STATE_FOLDER);
}

export function runsDir(stateDir: string): string {
  return path.join(stateRoot(stateDir), "runs");
}

export function runDirOf(stateDir: string, runId: string): string {
  return path.join(runsDir(stateDir), runId);
}

export function cacheDir(stateDir: string): string {
  return path.join(stateRoot(stateDir), "cache");
}

export function describeCacheFile(stateDir: string): string {
  return path.join(cacheDir(stateDir), "describe.json");
}

/** Kept warm servers: their records, sockets and logs (a 0700 folder). */
export function warmDir(stateDir: string): string {
  return path.join(stateRoot(stateDir), "warm");
}

export function runRecordFile(runDir: string): string {
  return path.join(runDir, "run.json");
}

export interface NodePaths {
  readonly dir: string;
  readonly outputs: string;
  /** The node's private views of its inputs (`in/<port>`), made by the prepare stage. */
  readonly inputs: string;
  readonly work: string;
  readonly tmp: string;
  readonly empty: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly jobFile: string;
  readonly resultFile: string;
}

/** `.dagtest/runs/<run-id>/<node>/...`: node names were checked to be safe folder names. */
export function nodePaths(runDir: string, node: string): NodePaths {
  const dir = path.join(runDir, node);
  return {
    dir,
    outputs: path.join(dir, "out"),
    inputs: path.join(dir, "in"),
    work: path.join(dir, "work"),
    tmp: path.join(dir, "tmp"),
    empty: path.join(dir, "empty"),
    stdout: path.join(dir, "logs", "stdout.log"),
    stderr: path.join(dir, "logs", "stderr.log"),
    jobFile: path.join(dir, "job.json"),
    resultFile: path.join(dir, "outcome.json"),
  };
}

/** What `run.json` holds. */
export interface RunRecordFile {
  readonly plan: Plan;
  readonly result: RunResult;
}

/** Atomic: a reader never sees half a file, a crash never leaves one. */
export function writeRunRecord(runDir: string, record: RunRecordFile): void {
  const file = runRecordFile(runDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${file}.tmp`, file);
}

/**
 * A run's record, or null when it is missing, unreadable, not a record, or of another record
 * version (a record without a version is read as this one: every version so far wrote 1).
 */
export function readRunRecord(runDir: string): RunRecordFile | null {
  try {
    const record = JSON.parse(readFileSync(runRecordFile(runDir), "utf8")) as {
      plan?: unknown;
      result?: { runRecordVersion?: unknown; scriptResults?: unknown };
    } | null;
    const version = record?.result?.runRecordVersion ?? RUN_RECORD_VERSION;
    if (version !== RUN_RECORD_VERSION || typeof record?.plan !== "object") return null;
    const results = record.result?.scriptResults;
    if (typeof results !== "object" || results === null) return null;
    return record as unknown as RunRecordFile;
  } catch {
    return null;
  }
}

/** The run ids under `.dagtest/runs`, newest first (run ids sort by time). */
export function runIdsNewestFirst(stateDir: string): string[] {
  let ids: string[];
  try {
    ids = readdirSync(runsDir(stateDir));
  } catch {
    return [];
  }
  // Ids sort by the second they started; two runs in one second are ordered by when their
  // folder was made (the id's random suffix says nothing about order). Only those are stat'ed:
  // every command reads this list, and a project keeps many runs.
  const births = new Map<string, number>();
  const made = (id: string) => {
    const known = births.get(id);
    if (known !== undefined) return known;
    const birth = birthOf(path.join(runsDir(stateDir), id));
    births.set(id, birth);
    return birth;
  };
  const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return ids.sort(
    (a, b) => newestFirst(a.slice(0, 15), b.slice(0, 15)) || made(b) - made(a) || newestFirst(a, b),
  );
}

function birthOf(dir: string): number {
  try {
    const stat = statSync(dir);
    return stat.birthtimeMs || stat.ctimeMs;
  } catch {
    return 0;
  }
}

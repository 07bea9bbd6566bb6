/**
 * Where a node that is not run this time gets its outputs from: the cache (same fingerprint), or
 * else the newest earlier run in which it passed and whose output folders still exist.
 */
import { existsSync } from "node:fs";
import { readRunRecord, runDirOf, runIdsNewestFirst } from "../model/layout.js";

export interface PreviousOutputs {
  readonly runId: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** Newest first: run ids sort by time. */
export function previousOutputs(
  stateDir: string,
  node: string,
  exceptRun: string | null,
): PreviousOutputs | null {
  for (const runId of runIdsNewestFirst(stateDir)) {
    if (runId === exceptRun) continue;
    const r = readRunRecord(runDirOf(stateDir, runId))?.result.scriptResults[node];
    if (!r || (r.status !== "passed" && r.status !== "cached")) continue;
    if (Object.values(r.outputs).every((dir) => existsSync(dir))) return { runId, outputs: r.outputs };
  }
  return null;
}

/**
 * Where a node that is not run this time gets its outputs from: the cache (same fingerprint), or
 * else the newest earlier run in which it passed and whose output folders still exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RunResult } from "../model/run.js";

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
  const runs = path.join(stateDir, ".dagtest", "runs");
  if (!existsSync(runs)) return null;
  for (const runId of readdirSync(runs).sort().reverse()) {
    if (runId === exceptRun) continue;
    const result = readResult(path.join(runs, runId, "run.json"));
    const r = result?.scriptResults[node];
    if (!r || (r.status !== "passed" && r.status !== "cached")) continue;
    if (Object.values(r.outputs).every((dir) => existsSync(dir))) return { runId, outputs: r.outputs };
  }
  return null;
}

function readResult(file: string): RunResult | null {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { result?: RunResult }).result ?? null;
  } catch {
    return null;
  }
}

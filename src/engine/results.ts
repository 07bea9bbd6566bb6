/** The result of a node that did not run a script: a phantom, skipped, blocked, cancelled or restored. */
import type { ScriptResult } from "../model/run.js";

export function notRun(
  node: string,
  status: ScriptResult["status"],
  reason: ScriptResult["reason"],
  message: string,
  outputs: Readonly<Record<string, string>> = {},
): ScriptResult {
  return {
    node,
    status,
    reason,
    message,
    startedAt: null,
    durationMs: 0,
    peakRssKb: null,
    exitCode: null,
    signal: null,
    logs: null,
    logTail: null,
    error: null,
    outputs,
    guardEvents: [],
    checks: [],
    ranBecause: [],
  };
}

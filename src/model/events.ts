/**
 * Events the engine emits and the Reporter interface that listens. Every output (console
 * progress, JSON, JUnit, the web UI) is a reporter; only reporters write to the terminal.
 */
import type { Plan } from "./plan.js";
import type { DataFlowResult, RunResult, ScriptResult } from "./run.js";

export type RunEvent =
  | {
      readonly type: "runStart";
      readonly plan: Plan;
      readonly runId: string;
      readonly runDir: string;
      readonly total: number;
    }
  | { readonly type: "nodeQueued"; readonly node: string }
  | { readonly type: "nodeStart"; readonly node: string; readonly running: readonly string[] }
  | { readonly type: "nodeEnd"; readonly result: ScriptResult }
  | { readonly type: "edgeChecked"; readonly check: DataFlowResult }
  | { readonly type: "runEnd"; readonly result: RunResult };

/** Optional hooks; a reporter implements the ones it needs. */
export interface Reporter {
  onEvent?(event: RunEvent): void;
  /** Called once after runEnd; may flush files. */
  close?(): Promise<void> | void;
}

/**
 * Events the engine emits and the Reporter interface that listens. Every output (console
 * progress, JSON, JUnit, the web UI) is a reporter; only reporters write to the terminal.
 * Events reach reporters through one guarded bus (engine/bus.ts): a reporter that throws is
 * reported once, as a `notice`, and never stops the run.
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
  | {
      readonly type: "nodeOutput";
      readonly node: string;
      readonly stream: OutputStream;
      /** Whole lines as the script printed them (without the newline), each cut at a bound. */
      readonly lines: readonly string[];
    }
  | { readonly type: "edgeChecked"; readonly check: DataFlowResult }
  | { readonly type: "runEnd"; readonly result: RunResult }
  | {
      readonly type: "notice";
      readonly level: NoticeLevel;
      /** One line for the user (e.g. the warm server fell back to cold processes). */
      readonly message: string;
      /** The node it is about, if any. */
      readonly node: string | null;
    };

export type OutputStream = "stdout" | "stderr";

export type NoticeLevel = "info" | "warning" | "error";

/** Optional hooks; a reporter implements the ones it needs. */
export interface Reporter {
  /** May return a promise: the next event reaches this reporter after it settles. */
  onEvent?(event: RunEvent): void | Promise<void>;
  /** Called once after runEnd; may flush files. */
  close?(): Promise<void> | void;
}

/**
 * The UI server's API, as types shared with the browser client (ui/): the only file of src/ the
 * client imports (types only). Plan and run shapes are the CLI's own (`plan --json`, run.json).
 */
import type { RunEvent } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import type { LogTails, ReportData, RunView } from "../model/view.js";

export type { PhantomNode, PlanNode, Question, ScriptNode, Wire } from "../model/plan.js";
export type { DataFlowResult, ScriptResult } from "../model/run.js";
export type { LogTails, Plan, ReportData, RunEvent, RunResult, RunView };

/** GET /api/state */
export interface UiState {
  readonly mode: "server";
  readonly plan: Plan;
  readonly specFile: string;
  /** The run going on, or the newest finished one; null before any run. */
  readonly run: RunView | null;
  readonly running: boolean;
  /** Per script node: why the next run will (not) run it (the cache's view of its fingerprint). */
  readonly outlook: Readonly<Record<string, string>>;
}

/** What the configure form sends: the factory's `ScriptConfiguration`. */
export interface NodeConfiguration {
  readonly inputs?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly jobArgs?: Readonly<Record<string, string>>;
}

/** POST /api/validate and /api/configure */
export interface ConfigureRequest {
  readonly node: string;
  readonly config: NodeConfiguration;
}

export interface ValidationIssueView {
  readonly field: string;
  readonly message: string;
  readonly hint: string;
}

/** POST /api/validate */
export interface ValidateResponse {
  readonly issues: readonly ValidationIssueView[];
}

/** POST /api/run: nothing selected runs everything. */
export interface RunRequest {
  readonly only?: readonly string[];
  readonly from?: readonly string[];
  readonly to?: readonly string[];
}

/** GET /api/runs: newest first. */
export interface RunListEntry {
  readonly runId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly pipelineSuccess: boolean;
  readonly interrupted: boolean;
  readonly summary: RunResult["summary"];
}

/** Every API error: a stable code and one line. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
}

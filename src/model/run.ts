/**
 * What a run produces, in the shape the seeds name (`pipeline_success`, per-script results,
 * `data_flow_results`, `execution_order`, `errors`), camelCased. Written to
 * `.dagtest/runs/<run-id>/run.json` as the run goes, and printed by `dagtest run --json`.
 */
import type { PortRef } from "./plan.js";
import type { GuardEvent, StepError } from "./protocol.js";
import type { SnapshotOutcome } from "./snapshot.js";

export const RUN_RECORD_VERSION = 1;

export type NodeStatus = "passed" | "failed" | "skipped" | "cached" | "cancelled";

/** Why a node failed or did not run (kebab-case, stable). */
export type NodeReason =
  | "exception"
  | "exit-non-zero"
  | "signal"
  | "timeout"
  | "memory-limit"
  | "missing-output"
  | "input-modified"
  | "no-result"
  | "runner-error"
  | "executor-error"
  | "internal-error"
  | "upstream-failed"
  | "phantom"
  | "not-ready"
  | "cancelled"
  | "not-selected"
  | "snapshot-mismatch"
  | "snapshot-missing"
  | "model-unloadable";

export interface LogFiles {
  readonly stdout: string;
  readonly stderr: string;
  /** Bytes dropped from the middle of each log to keep it under the cap. */
  readonly droppedBytes: { readonly stdout: number; readonly stderr: number };
}

export interface ScriptResult {
  readonly node: string;
  readonly status: NodeStatus;
  /** Null when passed. */
  readonly reason: NodeReason | null;
  /** One line a person can act on. */
  readonly message: string;
  readonly startedAt: string | null;
  readonly durationMs: number;
  readonly peakRssKb: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly logs: LogFiles | null;
  /** The last lines of stderr (and stdout) for a failure, so the summary can show them. */
  readonly logTail: string | null;
  readonly error: StepError | null;
  readonly outputs: Readonly<Record<string, string>>;
  readonly guardEvents: readonly GuardEvent[];
  /** Problems the data-flow checks found on this node's outputs or inputs. */
  readonly checks: readonly string[];
  /** With the cache on: why the node ran instead of being restored (what changed). */
  readonly ranBecause: readonly string[];
  /**
   * What ran the script: `fork`, a child of the warm fork server, or `process`, a fresh
   * interpreter (`--cold`, `isolation: process`, or a fallback). Absent when nothing ran.
   */
  readonly executor?: "fork" | "process" | "ray";
  /** With `executor: ray`: the id of the Ray node the script ran on. */
  readonly workerNode?: string;
  /** For reason `executor-error`: the executor's coded error and what to do about it. */
  readonly executorError?: { readonly code: string; readonly hint: string };
  /**
   * Only for reason `internal-error`: the exception dagtest itself (or a custom executor) threw
   * in one of the node's stages, with its stack, so the bug can be reported.
   */
  readonly internalError?: InternalError;
  /** Time in the script's own import and main, as the runner measured it; durationMs minus this
   * is dagtest's overhead. Absent or null when nothing ran or the script could not report. */
  readonly scriptMs?: number | null;
  /** What the snapshot check found (absent when snapshots are off for the run or the node). */
  readonly snapshot?: SnapshotOutcome;
  /** For a node that uses a model framework: what was detected and checked on its outputs. */
  readonly frameworkInfo?: FrameworkInfo;
}

/** The seeds' framework detection and output validation, per node. */
export interface FrameworkInfo {
  /** The frameworks the script imports (the plan's `frameworks`). */
  readonly detected: readonly string[];
  /** The checks applied to the node's outputs, one line each. */
  readonly checks: readonly string[];
  /** Each model artifact loaded back in a fresh interpreter. */
  readonly models: readonly {
    readonly file: string;
    readonly loader: string;
    readonly ok: boolean;
    readonly predicted: boolean;
    readonly error: string | null;
    readonly note: string | null;
  }[];
  /** Builder–script consistency: where the script and its interface disagree (plan warnings). */
  readonly consistency: { readonly consistent: boolean; readonly issues: readonly string[] };
}

/** An exception thrown inside dagtest while a node went through its stages. */
export interface InternalError {
  /** The stage it was thrown in. */
  readonly stage: "prepare" | "execute" | "verify" | "store" | "schedule";
  readonly message: string;
  readonly stack: string | null;
}

/** The `ranBecause` of a node the cache has never seen: no news, so the console leaves it out. */
export const NEVER_RAN = "never ran with the cache";

/** What one output port holds: files, bytes, and rows/columns of its tabular files. */
export interface DataProfile {
  readonly files: number;
  readonly bytes: number;
  /** Tabular files only (CSV, TSV, JSON lines, Parquet); null when there are none. */
  readonly rows: number | null;
  readonly columns: readonly string[] | null;
  readonly formats: readonly string[];
}

/** What flowed along one wire, measured after the producer finished. */
export interface DataFlowResult extends DataProfile {
  readonly from: PortRef;
  readonly to: PortRef;
  readonly path: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface RunResult {
  readonly runRecordVersion: typeof RUN_RECORD_VERSION;
  readonly runId: string;
  readonly runDir: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** True only when every script that was meant to run passed (or was cached). */
  readonly pipelineSuccess: boolean;
  /** The run stopped before every node had its turn (Ctrl-C, or --fail-fast). */
  readonly interrupted: boolean;
  readonly executionOrder: readonly string[];
  readonly scriptResults: Readonly<Record<string, ScriptResult>>;
  readonly dataFlowResults: readonly DataFlowResult[];
  readonly errors: readonly string[];
  readonly summary: {
    readonly total: number;
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
    readonly cached: number;
    readonly cancelled: number;
  };
}

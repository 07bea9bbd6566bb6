/**
 * The executor interface: the scheduler decides *when* a node runs, an executor decides *how*.
 * Every executor (cold process, warm fork server) passes tests/conformance/executor.suite.ts.
 */
import type { Isolation, NodePlacement } from "../model/plan.js";
import type { StepJob, StepOutcome } from "../model/protocol.js";
import type { OutputSink } from "./output-lines.js";

export type { OutputSink } from "./output-lines.js";

/** Which executor actually ran a job: a child forked from the warm server, a fresh process, a Ray task. */
export type ExecutorKind = "fork" | "process" | "ray";

/**
 * Why an executor could not run a job at all, as a coded error with a hint (an unreachable
 * cluster, a worker that died, a missing package on a worker, ...): the node fails with reason
 * `executor-error`.
 */
export interface ExecFailure {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

/** What the warm server imports before forking (see python/dagtest_runner/preload.py). */
export interface PreloadList {
  /** Modules the scripts import; the server keeps only installed packages and the stdlib. */
  readonly imports: readonly string[];
  /** `preload:` in dagtest.yaml: imported wherever they live (still never when fork-unsafe). */
  readonly explicit: readonly string[];
}

export interface ExecRequest {
  readonly job: StepJob;
  /** Where the job JSON was written; the runner reads it. */
  readonly jobFile: string;
  /** The interpreter that runs the runner and the script. */
  readonly python: string;
  /** The whole environment of the child process. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly logs: { readonly stdout: string; readonly stderr: string };
  readonly maxLogBytes: number;
  /** Aborting stops the node (SIGTERM to its process group, then SIGKILL). */
  readonly signal: AbortSignal;
  /** `process` asks for a fresh interpreter even from an executor that forks (`isolation:`). */
  readonly isolation: Isolation;
  readonly preload: PreloadList;
  /**
   * Where to stream the script's output as lines while it runs (bounded; the log files keep
   * everything up to their cap). Optional: a test or a tool may run a job without it.
   */
  readonly output?: OutputSink;
  /** What the node asks a cluster for (`num_cpus`, `num_gpus`, `resources`); local executors ignore it. */
  readonly placement?: NodePlacement;
}

export interface ExecResult {
  /** What the runner wrote; null when the process died before it could (os._exit, a signal, a crash). */
  readonly outcome: StepOutcome | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly durationMs: number;
  readonly droppedBytes: { readonly stdout: number; readonly stderr: number };
  /** The process could not be started at all. */
  readonly spawnError: string | null;
  readonly executor: ExecutorKind;
  /**
   * Where the node's outputs are now, port → folder, so the checks read them where they live.
   * A local executor leaves them where the job said (`job.outputPaths`, the default when absent);
   * a remote one (Ray) reports where it brought them back to.
   */
  readonly outputs?: Readonly<Record<string, string>>;
  /** A remote executor: the id of the cluster node the job ran on. */
  readonly workerNode?: string;
  /** The executor could not run the job (see ExecFailure). */
  readonly failure?: ExecFailure;
}

/** What decides which warm server a job forks from. */
export type WarmUpSpec = Pick<ExecRequest, "python" | "env" | "preload">;

/** One run of the runner's `inspect` mode for a node (the model check), on an executor's warm server. */
export interface InspectJob {
  /** Names the job in timing traces. */
  readonly node: string;
  /** The request (JSON), the mode's stdin. */
  readonly requestFile: string;
  /** The working directory: a folder of the node's own. */
  readonly cwd: string;
  /** The node's script folder: preloaded modules a file in it would shadow are dropped, as for its job. */
  readonly sourceDir: string;
  /** Where the mode's stdout (its JSON result) and stderr are written. */
  readonly logs: { readonly stdout: string; readonly stderr: string };
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** How an inspect job ended. */
export interface InspectExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
}

/** A warm server kept between commands (`run.keep_warm`). */
export interface KeepSettings {
  /** The folder that holds `.dagtest/`. */
  readonly stateDir: string;
  /** Stop after this long without a job. */
  readonly idleMs: number;
}

/** Default idle time before a kept server stops itself. */
export const DEFAULT_KEEP_IDLE_MS = 5 * 60_000;

export interface Executor {
  readonly name: string;
  run(request: ExecRequest): Promise<ExecResult>;
  /** Get ready for jobs like `spec` in the background (a warm executor starts its server). */
  warmUp?(spec: WarmUpSpec): void;
  /**
   * Run an inspect job in a child of the server that jobs like `spec` fork from, if that server
   * is up (none is started for it); null: the caller starts a fresh interpreter instead.
   */
  inspect?(spec: WarmUpSpec, job: InspectJob): Promise<InspectExit | null>;
  close(): Promise<void>;
}

/**
 * The versioned protocol between the engine and the Python runner (`python/dagtest_runner`):
 * one `StepJob` JSON file in, one `StepOutcome` JSON file out. stdout and stderr belong to the
 * user's script and are never parsed. Mirrored by `python/dagtest_runner/protocol.py`.
 */

/**
 * The one protocol version of engine and runner, for every mode (run, serve, describe). The
 * Python side's `PROTOCOL_VERSION` in `python/dagtest_runner/protocol.py` must equal it
 * (tests/unit/protocol-version.test.ts holds the two together); the runner rejects any other.
 */
export const PROTOCOL_VERSION = 1;

export interface StepJob {
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  readonly node: string;
  /** Absolute path of the script to import. */
  readonly script: string;
  /** Put first on `sys.path` so sibling modules import. */
  readonly sourceDir: string;
  /** The process's working directory: a fresh folder per node and run. */
  readonly workDir: string;
  /** Input port → folder; every declared input key is present. */
  readonly inputPaths: Readonly<Record<string, string>>;
  /** Output port → folder (created by the engine; the script may also create it). */
  readonly outputPaths: Readonly<Record<string, string>>;
  /** Passed to main as `environ_vars` and exported to `os.environ` before the script is imported. */
  readonly environ: Readonly<Record<string, string>>;
  /** Attributes of the `argparse.Namespace` passed as `job_args`. */
  readonly jobArgs: Readonly<Record<string, string | boolean | null>>;
  readonly guards: {
    /** Replace `pip install` calls made through subprocess/os.system by a logged no-op. */
    readonly blockPipInstall: boolean;
    /** Modules replaced by stubs that import fine and fail loudly when used. */
    readonly stubModules: readonly string[];
  };
  readonly limits: {
    /** Address-space limit for the process, in MiB (RLIMIT_AS); null for none. */
    readonly memoryMb: number | null;
  };
  /** Where the runner writes the StepOutcome (atomically: temp file + rename). */
  readonly resultFile: string;
  /**
   * Container path prefix (`/opt/ml/...`) → local path: hard-coded container paths the script
   * opens, lists or probes resolve here (longest prefix first); an unmapped `/opt/ml` path lands
   * in a private folder of the node. Optional for older engines.
   */
  readonly containerPaths?: Readonly<Record<string, string>>;
  /** The node's own run folder (holds workDir, tmp, the private container folder). */
  readonly nodeDir?: string;
  /**
   * `environ_vars` keys the script's own `__main__` converts from strings (to a bool, an int, a
   * float) before it calls `main`; the runner does the same, so `"false"` is not truthy.
   */
  readonly environConversions?: Readonly<Record<string, EnvConversion>>;
  /**
   * For the people reading job.json (the runner ignores it): input port → where the data of its
   * private view (`inputPaths`) was copied from: the producer's output folder or the user's data.
   */
  readonly inputSources?: Readonly<Record<string, string>>;
}

/** How a script's `__main__` turns one env var into the value `main` reads. */
export interface EnvConversion {
  readonly env: string;
  readonly default: string | null;
  readonly type: "bool" | "int" | "float";
  /** For `bool`: the lower-cased text that means true. */
  readonly equals: string | null;
}

/** One frame of a traceback, from the user's code. */
export interface TraceFrame {
  readonly file: string;
  readonly line: number;
  readonly function: string;
  readonly code: string | null;
}

export interface StepError {
  /** Exception class name, e.g. `KeyError`; `SystemExit` for a non-zero `sys.exit`. */
  readonly type: string;
  readonly message: string;
  /** Frames in the user's files (the script and its sibling modules), innermost last. */
  readonly frames: readonly TraceFrame[];
  /** The whole formatted traceback, bounded in size. */
  readonly traceback: string;
  /** Set when `main` raised SystemExit with a non-zero code. */
  readonly exitCode: number | null;
  /** Which phase failed: importing the script, or running main. */
  readonly phase: "import" | "main" | "setup";
}

export interface GuardEvent {
  /**
   * `container-path`: a hard-coded `/opt/ml` path was mapped to a local folder; `write-outside`:
   * a write through a container path that no port maps (it went to the node's private folder);
   * `stray-process`: a process the script left running when its node ended, killed then.
   */
  readonly guard: "pip-install" | "stub" | "container-path" | "write-outside" | "stray-process";
  readonly detail: string;
}

interface OutcomeBase {
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  readonly node: string;
  readonly durationMs: number;
  /** Peak resident memory of the runner process and its waited-for children, in KiB. */
  readonly peakRssKb: number | null;
  readonly guardEvents: readonly GuardEvent[];
}

export type StepOutcome =
  | (OutcomeBase & { readonly status: "passed" })
  | (OutcomeBase & { readonly status: "failed"; readonly error: StepError });

/**
 * The fork server (`serve` mode, python/dagtest_runner/serve.py). A job takes three Unix-socket
 * connections to the server, each opened with one JSON line: the control connection sends
 * `ServeRunRequest` and receives `ServeEvent` lines; the two stream connections send
 * `ServeStreamRequest` and then carry the job's stdout and stderr, which the child writes to.
 */
export interface ServeRunRequest {
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  readonly kind: "run";
  readonly id: string;
  readonly jobFile: string;
  /** The child's whole environment: `os.environ` is replaced by it, not merged. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The script's folder: preloaded modules that a file in it shadows are dropped in the child. */
  readonly sourceDir: string | null;
  /**
   * `inspect`: the child runs the runner's `inspect` mode instead of a script, with `jobFile` as
   * its request (stdin) and the two streams as its stdout and stderr (the model check: a model
   * loaded back in a process that never ran a script, without a cold interpreter's start).
   */
  readonly mode?: "inspect";
  /** A kept server's token (exec/kept-server.ts): it refuses a request without it. */
  readonly token?: string;
}

export interface ServeStreamRequest {
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  readonly kind: "stream";
  readonly id: string;
  readonly stream: "stdout" | "stderr";
  readonly token?: string;
}

/**
 * What the engine reads on the control connection. `forked` comes from the server; `running`
 * and `exit` from the child itself (on its copy of the connection), so `running` may come first,
 * and an `exit` may come twice (the server's, when it reaped a child whose own was just sent).
 */
export type ServeEvent =
  /** Sent as soon as a child has the job; the pid is also the child's process group. */
  | { readonly event: "forked"; readonly pid: number }
  /** The child is set up and about to run the job: the start deadline is met. */
  | { readonly event: "running"; readonly pid: number }
  /**
   * The child is done: its exit code as it calls `os._exit` (its streams already closed), or
   * its status when the server reaped it if it died another way (a signal, `os._exit` in the script).
   */
  | {
      readonly event: "exit";
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
    }
  | { readonly event: "error"; readonly message: string };

/** The one line the server prints on stdout once it has preloaded. */
export type ServeStatus =
  | {
      readonly event: "ready";
      readonly protocolVersion: typeof PROTOCOL_VERSION;
      readonly pid: number;
      readonly python: string;
      readonly preloaded: readonly string[];
      readonly skipped: readonly { readonly module: string; readonly reason: string }[];
      readonly bootMs: number;
      /** The interpreter's site-packages folders: a kept server is replaced when one changes. */
      readonly sitePaths?: readonly string[];
    }
  | {
      readonly event: "refused";
      readonly reason: string;
      readonly skipped: readonly { readonly module: string; readonly reason: string }[];
    };

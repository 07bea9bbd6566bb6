/**
 * The versioned protocol between the engine and the Python runner (`python/dagtest_runner`):
 * one `StepJob` JSON file in, one `StepOutcome` JSON file out. stdout and stderr belong to the
 * user's script and are never parsed. Mirrored by `python/dagtest_runner/protocol.py`.
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
  readonly guard: "pip-install" | "stub";
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

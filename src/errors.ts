/**
 * User-facing errors: a stable code, what went wrong, where, and a hint that says what to do.
 * Expected failures inside planning are data (`Problem`); a `DagtestError` is thrown only when
 * an input cannot be read at all (the CLI prints it without a stack trace).
 */

/** Every stable error code dagtest can report, in one place so docs and tests can list them. */
export const ERROR_CODES = {
  DAGTEST_FILE_NOT_FOUND: "A file named on the command line or in dagtest.yaml does not exist",
  DAGTEST_FILE_UNREADABLE: "A file exists but cannot be read",
  DAGTEST_PARSE_ERROR: "A JSON or YAML file is malformed",
  DAGTEST_DAG_INVALID: "A DAG file does not have the expected shape",
  DAGTEST_DAG_EMPTY: "A DAG has no nodes",
  DAGTEST_DAG_TOO_LARGE: "A DAG has more nodes or edges than dagtest plans",
  DAGTEST_FILE_TOO_LARGE: "An input file is larger than dagtest reads",
  DAGTEST_FILE_EMPTY: "A file that must hold a document is empty",
  DAGTEST_TOO_DEEP: "A JSON or YAML document is nested deeper than dagtest reads",
  DAGTEST_DUPLICATE_NODE: "A DAG declares the same node twice",
  DAGTEST_UNKNOWN_EDGE_NODE: "An edge names a node that is not declared",
  DAGTEST_CYCLE: "The DAG has a cycle",
  DAGTEST_BAD_NODE_NAME: "A node name cannot be used as a folder name",
  DAGTEST_CONFIG_INVALID: "A pipeline config does not have the expected shape",
  DAGTEST_NO_CONFIG_ENTRY: "The pipeline config has no entry for a node",
  DAGTEST_INTERFACE_INVALID: "A step interface YAML does not have the expected shape",
  DAGTEST_INTERFACE_DIR_NOT_FOUND: "An interface search root does not exist",
  DAGTEST_NO_INTERFACE: "No step interface matches a node",
  DAGTEST_SPEC_INVALID: "dagtest.yaml does not match its schema",
  DAGTEST_SPEC_NOT_FOUND: "No dagtest.yaml where one was expected",
  DAGTEST_PLAN_NOT_READY: "The plan has errors that stop every node from running",
  DAGTEST_UPSTREAM_MISSING: "A partial run needs outputs that no earlier run or cache entry has",
  DAGTEST_INVALID_CONFIGURATION: "A script configuration was rejected by validation",
  DAGTEST_NOT_CONFIGURED: "Some scripts still need answers before testing",
  DAGTEST_UNKNOWN_NODE: "A name is not a node (or not a script) of the pipeline",
  DAGTEST_USAGE: "The command line is incomplete or contradictory",
  DAGTEST_PROTOCOL_MISMATCH: "The Python package and the engine speak different protocol versions",
  DAGTEST_PYTHON_NOT_FOUND: "The Python interpreter cannot be started",
  DAGTEST_DESCRIBE_FAILED: "The static check of the scripts could not run",
  DAGTEST_PATH_NOT_FOUND: "A path given in dagtest.yaml does not exist",
  DAGTEST_SCRIPT_NOT_FOUND: "A node's script file does not exist",
  DAGTEST_SCRIPT_AMBIGUOUS: "Several files match a node's entry point; one was chosen",
  DAGTEST_NO_VARIANT: "An interface has no variant for a node's job type",
  DAGTEST_BAD_WIRE: "A wire override names no open input",
  DAGTEST_REMOTE_INPUT: "An input comes from the config as a path that is not local",
  DAGTEST_CONFIG_PATH_MISSING: "An input comes from the config as a local path that does not exist",
  DAGTEST_SCRIPT_SYNTAX: "A node's script has a syntax error",
  DAGTEST_SCRIPT_UNREADABLE: "A node's script cannot be read",
  DAGTEST_UNDECLARED_INPUT: "A script reads an input key its interface does not declare",
  DAGTEST_UNDECLARED_OUTPUT: "A script reads an output key its interface does not declare",
  DAGTEST_CLOUD_ENV: "A script reads an env var of its cloud set-up (information only)",
  DAGTEST_OUTSIDE_PROJECT: "A script or data path resolves outside the project",
  DAGTEST_UNDECLARED_ENV: "A script reads an env var its interface does not declare",
  DAGTEST_MISSING_JOB_ARG: "A script reads a job arg that no one gives a value",
  DAGTEST_PACKAGE_MISSING: "A pinned framework package is not installed in the interpreter",
  DAGTEST_PACKAGE_VERSION: "An installed package's version does not match the interface's pin",
  DAGTEST_IMPORT_MISSING: "A script imports a module the interpreter cannot import",
  DAGTEST_SNAPSHOT_INVALID: "dagtest.snap.json cannot be read, or has a version this dagtest does not know",
  DAGTEST_SYNTH_PARQUET: "Synthesized Parquet data cannot be written with the scripts' interpreter",
  DAGTEST_SAMPLE_FAILED: "A user-supplied dataset cannot be sampled",
  DAGTEST_SYNTH_MIXED_SETTINGS: "The outputs of one phantom ask for different synthesize settings",
  DAGTEST_INTERNAL: "A bug in dagtest",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a problem is: a file, and a 1-based line and column when the parser gives them. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface DagtestErrorInit {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly location?: SourceLocation;
  readonly cause?: unknown;
}

/** An error caused by the user's input. Printed as `code`, message, location and hint; never a stack. */
export class DagtestError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly location: SourceLocation | undefined;

  constructor(init: DagtestErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "DagtestError";
    this.code = init.code;
    this.hint = init.hint;
    this.location = init.location;
  }

  /** A plain object for `--json` output. */
  toJSON(): { code: ErrorCode; message: string; hint: string; location?: SourceLocation } {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.location ? { location: this.location } : {}),
    };
  }
}

/** `file:line:column` for messages. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

/**
 * Client for the runner's `inspect` mode: Parquet column statistics and loading model artifacts,
 * done by the scripts' own interpreter in a fresh, short-lived process (its pyarrow, pandas,
 * scikit-learn, xgboost, ... ; dagtest ships none of them).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { PROTOCOL_VERSION } from "../model/protocol.js";
import type { ColumnSummary } from "../model/snapshot.js";
import { runnerDir } from "./describe.js";

/** Loader names the runner knows (python/dagtest_runner/inspect_outputs.py `LOADERS`). */
export type ModelLoader = "pickle" | "joblib" | "xgboost" | "lightgbm" | "torch" | "onnx";

export interface ModelLoadResult {
  readonly file: string;
  readonly loader: ModelLoader;
  readonly ok: boolean;
  readonly error: string | null;
  readonly predicted: boolean;
  readonly note: string | null;
}

export type InspectOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly message: string;
      /** The file being loaded when the process died (a native loader may abort it), if known. */
      readonly culprit: string | null;
    };

const LOADING = "dagtest-inspect: loading ";

export interface InspectOptions {
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Somewhere to run the request other than a fresh interpreter (a forked child); tried first. */
  readonly via?: InspectVia;
}

/** How a run of the inspect mode ended, and what it printed. */
export interface InspectProcess {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; a spawn error's code (`ENOENT`) when it never started. */
  readonly code: number | string | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
}

/** Runs the inspect mode on `request` (JSON text); null when it cannot, and a fresh interpreter is started. */
export type InspectVia = (request: string) => Promise<InspectProcess | null>;

async function inspect<T>(
  python: string,
  request: object,
  options: InspectOptions,
): Promise<InspectOutcome<T>> {
  const text = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, ...request });
  const ran = (options.via ? await options.via(text) : null) ?? (await freshProcess(python, text, options));
  if (ran.timedOut || ran.signal || ran.code !== 0) return failed(ran, options.timeoutMs ?? 120_000);
  try {
    return { ok: true, value: JSON.parse(ran.stdout) as T };
  } catch {
    return {
      ok: false,
      message: `dagtest inspect printed no JSON: ${ran.stdout.slice(0, 200)}`,
      culprit: null,
    };
  }
}

function freshProcess(python: string, request: string, options: InspectOptions): Promise<InspectProcess> {
  const main = join(runnerDir(), "dagtest_runner", "__main__.py");
  return new Promise((resolve) => {
    const child = execFile(
      python,
      [main, "inspect"],
      {
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        cwd: options.cwd,
        env: options.env ? { ...options.env } : process.env,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) =>
        resolve({
          stdout: String(stdout),
          stderr: String(stderr),
          code: error ? ((error.code as number | string | undefined) ?? null) : 0,
          signal: error?.signal && !error.killed ? error.signal : null,
          timedOut: error?.killed === true,
        }),
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(request);
  });
}

/** Why the process failed, in one line, and the file it was loading when it died. */
function failed(
  ran: InspectProcess,
  timeoutMs: number,
): { ok: false; message: string; culprit: string | null } {
  const lines = ran.stderr.split("\n");
  const culprit =
    lines
      .filter((l) => l.startsWith(LOADING))
      .pop()
      ?.slice(LOADING.length) ?? null;
  const said = lines
    .filter((l) => l.trim() && !l.startsWith(LOADING))
    .slice(-5)
    .join(" | ");
  const why = ran.timedOut
    ? `was stopped after ${timeoutMs} ms`
    : ran.signal
      ? `crashed (${ran.signal})`
      : `exited with code ${String(ran.code)}`;
  return { ok: false, message: `the interpreter ${why}${said ? `: ${said}` : ""}`, culprit };
}

/** Column summaries of Parquet files; an empty map when the interpreter has no pyarrow. */
export async function parquetColumns(
  python: string,
  files: readonly string[],
): Promise<Map<string, Record<string, ColumnSummary>>> {
  const outcome = await inspect<{ files: Record<string, Record<string, ColumnSummary> | { error: string }> }>(
    python,
    { op: "parquet-columns", files },
    {},
  );
  const out = new Map<string, Record<string, ColumnSummary>>();
  if (!outcome.ok) return out;
  for (const [file, columns] of Object.entries(outcome.value.files ?? {})) {
    if (!("error" in columns && typeof columns.error === "string"))
      out.set(file, columns as Record<string, ColumnSummary>);
  }
  return out;
}

/** Load each model file with its framework's loader in a fresh process; predict once where an evaluation file fits. */
export async function loadModels(
  python: string,
  request: {
    readonly models: readonly { readonly file: string; readonly loader: ModelLoader }[];
    readonly evaluation: readonly string[];
    readonly sysPath: readonly string[];
  },
  options: InspectOptions,
): Promise<InspectOutcome<readonly ModelLoadResult[]>> {
  const outcome = await inspect<{ models: ModelLoadResult[] }>(
    python,
    { op: "load-models", ...request },
    options,
  );
  return outcome.ok ? { ok: true, value: outcome.value.models } : outcome;
}

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
}

function inspect<T>(python: string, request: object, options: InspectOptions): Promise<InspectOutcome<T>> {
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
      (error, stdout, stderr) => {
        if (error) {
          resolve(failed(error, String(stderr), options.timeoutMs ?? 120_000));
          return;
        }
        try {
          resolve({ ok: true, value: JSON.parse(String(stdout)) as T });
        } catch {
          resolve({
            ok: false,
            message: `dagtest inspect printed no JSON: ${String(stdout).slice(0, 200)}`,
            culprit: null,
          });
        }
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, ...request }));
  });
}

/** Why the process failed, in one line, and the file it was loading when it died. */
function failed(
  error: { killed?: boolean; signal?: NodeJS.Signals | null; code?: unknown },
  stderr: string,
  timeoutMs: number,
): { ok: false; message: string; culprit: string | null } {
  const lines = stderr.split("\n");
  const culprit =
    lines
      .filter((l) => l.startsWith(LOADING))
      .pop()
      ?.slice(LOADING.length) ?? null;
  const said = lines
    .filter((l) => l.trim() && !l.startsWith(LOADING))
    .slice(-5)
    .join(" | ");
  const why = error.killed
    ? `was stopped after ${timeoutMs} ms`
    : error.signal
      ? `crashed (${error.signal})`
      : `exited with code ${String(error.code)}`;
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

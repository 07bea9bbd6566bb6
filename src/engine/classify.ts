/** Turning what an executor saw into a node's status, reason and one actionable line. */
import { readFileSync } from "node:fs";
import type { ExecResult } from "../exec/types.js";
import type { NodeReason, NodeStatus } from "../model/run.js";

export interface Verdict {
  readonly status: NodeStatus;
  readonly reason: NodeReason | null;
  readonly message: string;
}

export function classify(result: ExecResult, timeoutMs: number, memoryMb: number | null): Verdict {
  if (result.failure && !result.cancelled) {
    const { code, message, hint } = result.failure;
    return failed("executor-error", `${message} [${code}]${hint ? `. Hint: ${hint}` : ""}`);
  }
  if (result.spawnError)
    return failed("runner-error", `could not start the Python runner: ${result.spawnError}`);
  if (result.cancelled)
    return { status: "cancelled", reason: "cancelled", message: "stopped: the run was cancelled" };
  if (result.timedOut)
    return failed(
      "timeout",
      `stopped after ${formatSeconds(timeoutMs)}: the node's timeout (SIGTERM, then SIGKILL)`,
    );
  const outcome = result.outcome;
  if (outcome?.status === "passed") return { status: "passed", reason: null, message: "passed" };
  if (outcome?.status === "failed") {
    const e = outcome.error;
    const where = e.frames.at(-1);
    const at = where
      ? ` (${where.file}:${where.line}${where.function !== "<module>" ? ` in ${where.function}` : ""})`
      : "";
    if (e.type === "MemoryError") {
      return failed(
        "memory-limit",
        `MemoryError${memoryMb ? `: the node hit its ${memoryMb} MiB memory limit` : ""}${at}`,
      );
    }
    if (e.type === "SystemExit")
      return failed("exit-non-zero", `the script called sys.exit(${e.exitCode ?? e.message})${at}`);
    const phase =
      e.phase === "import"
        ? "while importing the script: "
        : e.phase === "setup"
          ? "before the script ran: "
          : "";
    return failed("exception", `${phase}${e.type}: ${firstLine(e.message)}${at}`);
  }
  if (result.signal) {
    const hint = result.signal === "SIGKILL" && memoryMb ? " (possibly the memory limit)" : "";
    return failed("signal", `the process was killed by ${result.signal}${hint} before it could report`);
  }
  if (result.exitCode === 2)
    return failed("runner-error", "the runner rejected the job (see stderr); please report it");
  return failed(
    "no-result",
    `the process exited with code ${result.exitCode} without reporting (os._exit or a crash in native code)`,
  );
}

function failed(reason: NodeReason, message: string): Verdict {
  return { status: "failed", reason, message };
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

/** The last lines of a log, for the failure summary. */
export function tailOf(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, "utf8");
    const all = text.trimEnd().split("\n");
    return all.slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * The cold-process executor: one fresh `python runner run job.json` per node, in its own process
 * group, with a timeout (SIGTERM, then SIGKILL after a grace period, to the whole group), bounded
 * stdout/stderr log files, and cancellation through an AbortSignal.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROTOCOL_VERSION, type StepOutcome } from "../model/protocol.js";
import { runnerDir } from "../python/describe.js";
import { openLogs } from "./bounded-log.js";
import { watchForStop } from "./limits.js";
import { signalGroup, trackGroup, untrackGroup } from "./process-group.js";
import type { ExecRequest, ExecResult, Executor } from "./types.js";

/** Time between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;

/**
 * How long the log streams may stay open once the runner has exited: what it wrote is already
 * in the pipe. A process that escaped the node's group and the runner (see
 * python/dagtest_runner/strays.py) may hold them open for ever; the node does not wait for it.
 */
export const STRAY_PIPE_GRACE_MS = 300;

export class ColdExecutor implements Executor {
  readonly name = "process";

  run(request: ExecRequest): Promise<ExecResult> {
    return runProcess(request, [runnerMain(), "run", request.jobFile]);
  }

  async close(): Promise<void> {}
}

/** The runner's entry point, run by path (see python/dagtest_runner/__main__.py). */
export function runnerMain(): string {
  return path.join(runnerDir(), "dagtest_runner", "__main__.py");
}

/**
 * Spawn the runner for one job and settle when the process and its group are gone. `note`
 * (`[dagtest] ...` lines, e.g. why a warm job was retried here) starts the stderr log.
 */
export function runProcess(request: ExecRequest, args: readonly string[], note = ""): Promise<ExecResult> {
  const started = performance.now();
  const { stdout, stderr } = openLogs(request);
  if (note) stderr.write(Buffer.from(note));
  return new Promise<ExecResult>((resolve) => {
    let spawnError: string | null = null;
    const child = spawn(request.python, args, {
      cwd: request.job.workDir,
      env: request.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pgid = child.pid;
    if (pgid !== undefined) trackGroup(pgid);
    child.stdout.on("data", (chunk: Buffer) => stdout.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.write(chunk));
    let killTimer: NodeJS.Timeout | undefined;
    let pipeTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (pgid === undefined || killTimer) return;
      signalGroup(pgid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), KILL_GRACE_MS);
    };
    const limits = watchForStop(request, stop);
    child.on("error", (error) => {
      spawnError = error.message;
    });
    // Leftover children of the script keep the pipes open: kill the group as soon as the main
    // process exits, so "close" follows and none of them outlives the node.
    child.on("exit", () => {
      if (pgid !== undefined) signalGroup(pgid, "SIGKILL");
      pipeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, STRAY_PIPE_GRACE_MS);
    });
    child.on("close", (exitCode, signal) => {
      limits.dispose();
      clearTimeout(killTimer);
      clearTimeout(pipeTimer);
      if (pgid !== undefined) untrackGroup(pgid);
      resolve({
        outcome: readOutcome(request.job.resultFile),
        exitCode,
        signal,
        timedOut: limits.timedOut(),
        cancelled: limits.cancelled(),
        durationMs: performance.now() - started,
        droppedBytes: { stdout: stdout.close(), stderr: stderr.close() },
        spawnError,
        executor: "process",
        outputs: request.job.outputPaths,
      });
    });
  });
}

export function readOutcome(file: string): StepOutcome | null {
  try {
    const outcome = JSON.parse(readFileSync(file, "utf8")) as StepOutcome;
    return outcome.protocolVersion === PROTOCOL_VERSION ? outcome : null;
  } catch {
    return null;
  }
}

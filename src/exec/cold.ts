/**
 * The cold-process executor: one fresh `python runner run job.json` per node, in its own process
 * group, with a timeout (SIGTERM, then SIGKILL after a grace period, to the whole group), bounded
 * stdout/stderr log files, and cancellation through an AbortSignal.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
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
    const group = processGroup(child.pid);
    child.stdout.on("data", (chunk: Buffer) => stdout.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.write(chunk));
    const limits = watchForStop(request, group.stop);
    child.on("error", (error) => {
      spawnError = error.message;
    });
    const stopWaitingForPipes = closePipesAfterExit(child, group);
    child.on("close", (exitCode, signal) => {
      limits.dispose();
      group.release();
      stopWaitingForPipes();
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

interface ProcessGroup {
  /** SIGTERM to the group, SIGKILL after KILL_GRACE_MS (once, however often it is called). */
  readonly stop: () => void;
  /** SIGKILL to the group at once. */
  readonly kill: () => void;
  /** The group is gone: no SIGKILL pending, no longer tracked for dagtest's own exit. */
  readonly release: () => void;
}

/** The runner's process group (its pid: it was spawned detached), tracked while it lives. */
function processGroup(pgid: number | undefined): ProcessGroup {
  if (pgid !== undefined) trackGroup(pgid);
  let killTimer: NodeJS.Timeout | undefined;
  return {
    stop: () => {
      if (pgid === undefined || killTimer) return;
      signalGroup(pgid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), KILL_GRACE_MS);
    },
    kill: () => {
      if (pgid !== undefined) signalGroup(pgid, "SIGKILL");
    },
    release: () => {
      clearTimeout(killTimer);
      if (pgid !== undefined) untrackGroup(pgid);
    },
  };
}

/**
 * Leftover children of the script keep the pipes open: kill the group as soon as the main
 * process exits, so "close" follows and none of them outlives the node; a stray that escaped the
 * group gets STRAY_PIPE_GRACE_MS before the pipes are let go. Returns what cancels that wait.
 */
function closePipesAfterExit(
  child: ChildProcessByStdio<null, Readable, Readable>,
  group: ProcessGroup,
): () => void {
  let pipeTimer: NodeJS.Timeout | undefined;
  child.on("exit", () => {
    group.kill();
    pipeTimer = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, STRAY_PIPE_GRACE_MS);
  });
  return () => clearTimeout(pipeTimer);
}

export function readOutcome(file: string): StepOutcome | null {
  try {
    const outcome = JSON.parse(readFileSync(file, "utf8")) as StepOutcome;
    return outcome.protocolVersion === PROTOCOL_VERSION ? outcome : null;
  } catch {
    return null;
  }
}

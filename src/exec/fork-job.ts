/**
 * One job on a fork server. Three connections: control (the request out, the child's pid,
 * start and exit back) and two streams the child writes its stdout and stderr into. The
 * streams are read here, into the same `BoundedLog` as a cold process's pipes, so logs are
 * bounded the same way and end when the child and everything it started have closed them.
 *
 * Timeout and cancel kill the child's group exactly as the cold executor does. Anything that
 * is the machinery's fault rather than the script's (the server dies, the child does not start
 * within the start deadline) is a `retry`: the caller reruns the job in a cold process.
 */
import { randomUUID } from "node:crypto";
import net from "node:net";
import { createInterface } from "node:readline";
import { PROTOCOL_VERSION, type ServeEvent, type ServeRunRequest } from "../model/protocol.js";
import { openLogs } from "./bounded-log.js";
import { KILL_GRACE_MS, readOutcome, STRAY_PIPE_GRACE_MS } from "./cold.js";
import type { ForkServer } from "./fork-server.js";
import { type StopWatch, watchForStop } from "./limits.js";
import { signalGroup, trackGroup, untrackGroup } from "./process-group.js";
import type { ExecRequest, ExecResult } from "./types.js";

/** Who is to blame when a job must be retried cold: decides what happens to the server. */
export type Blame = "server" | "child" | "none";

export type ForkAttempt =
  | { readonly kind: "done"; readonly result: ExecResult }
  | { readonly kind: "retry"; readonly reason: string; readonly blame: Blame };

export function runForked(
  server: ForkServer,
  request: ExecRequest,
  startDeadlineMs: number,
): Promise<ForkAttempt> {
  const started = performance.now();
  const id = randomUUID();
  const logs = openLogs(request);
  return new Promise<ForkAttempt>((resolve) => {
    let pid: number | null = null;
    let running = false;
    let exit: { code: number | null; signal: string | null } | null = null;
    let failure: { reason: string; blame: Blame } | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let pipeTimer: NodeJS.Timeout | undefined;
    // Assigned once every handler exists (at the end of this executor); read only by them.
    let limits: StopWatch = { timedOut: () => false, cancelled: () => false, dispose: () => {} };
    let openStreams = 2;
    let settled = false;

    const killHard = () => {
      if (pid === null) return;
      signalGroup(pid, "SIGKILL");
      try {
        process.kill(pid, "SIGKILL"); // not yet a group leader if it never reached its setsid
      } catch {}
    };
    const stop = () => {
      if (pid === null || killTimer) return; // no pid yet: stopped as soon as it is forked
      signalGroup(pid, "SIGTERM");
      killTimer = setTimeout(killHard, KILL_GRACE_MS);
    };
    const fail = (reason: string, blame: Blame) => {
      if (failure || exit || settled) return;
      failure = { reason, blame };
      killHard();
      control.destroy();
      for (const stream of streams) stream.destroy();
    };
    const finish = () => {
      if (settled || openStreams > 0 || !(exit || failure)) return;
      settled = true;
      limits.dispose();
      clearTimeout(deadline);
      clearTimeout(killTimer);
      clearTimeout(pipeTimer);
      unsubscribe();
      control.destroy();
      if (pid !== null) untrackGroup(pid);
      const droppedBytes = { stdout: logs.stdout.close(), stderr: logs.stderr.close() };
      // A job stopped on purpose is not retried, whatever happened to the server meanwhile.
      if (failure && !limits.timedOut() && !limits.cancelled()) {
        resolve({ kind: "retry", ...failure });
        return;
      }
      resolve({
        kind: "done",
        result: {
          outcome: readOutcome(request.job.resultFile),
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          timedOut: limits.timedOut(),
          cancelled: limits.cancelled(),
          durationMs: performance.now() - started,
          droppedBytes,
          spawnError: null,
          executor: "fork",
        },
      });
    };

    const streams = (["stdout", "stderr"] as const).map((name) => {
      const socket = connect(server.socketPath, { kind: "stream", id, stream: name });
      socket.on("data", (chunk: Buffer) => logs[name].write(chunk));
      socket.on("close", () => {
        openStreams--;
        finish();
      });
      return socket;
    });
    const run: Omit<ServeRunRequest, "protocolVersion"> = {
      kind: "run",
      id,
      jobFile: request.jobFile,
      env: request.env,
      cwd: request.job.workDir,
      sourceDir: request.job.sourceDir,
    };
    const control = connect(server.socketPath, run);
    createInterface({ input: control }).on("line", (line) => {
      const event = parseEvent(line);
      if (event?.event === "forked") {
        pid = event.pid;
        trackGroup(pid);
        if (limits.timedOut() || limits.cancelled()) stop();
      } else if (event?.event === "running") {
        running = true;
        clearTimeout(deadline);
      } else if (event?.event === "exit") {
        if (!running) {
          const how = event.signal ? `killed by ${event.signal}` : `exit code ${event.code}`;
          fail(`the forked child ended before it started (${how}); see the server's stderr`, "none");
          return;
        }
        exit = { code: event.code, signal: event.signal };
        if (pid !== null) signalGroup(pid, "SIGKILL"); // what the script left running
        pipeTimer = setTimeout(() => {
          for (const stream of streams) stream.destroy();
        }, STRAY_PIPE_GRACE_MS);
        finish();
      } else if (event?.event === "error")
        fail(`the fork server refused the job: ${event.message}`, "server");
    });
    control.on("close", () => {
      if (exit || failure || settled) return;
      // The socket often closes just before the server's exit is seen; wait a moment for the why.
      const blame = () =>
        fail(
          server.ended
            ? `the fork server ${server.ended} while the node ran`
            : "the fork server closed the connection",
          "server",
        );
      if (server.alive) setTimeout(blame, 200);
      else blame();
    });
    const unsubscribe = server.onExit((why) => fail(`the fork server ${why} while the node ran`, "server"));

    const deadline = setTimeout(() => {
      if (running) return;
      if (pid === null) fail(`the fork server did not fork within ${startDeadlineMs / 1000} s`, "server");
      else
        fail(
          `the forked child did not start within ${startDeadlineMs / 1000} s (start deadline): ` +
            "a preloaded module is probably not fork-safe",
          "child",
        );
    }, startDeadlineMs);
    limits = watchForStop(request, stop);
  });
}

function connect(socketPath: string, header: object): net.Socket {
  const socket = net.createConnection({ path: socketPath });
  socket.on("error", () => {}); // a dead server shows as "close"; the reason comes from the server
  socket.write(`${JSON.stringify({ protocolVersion: PROTOCOL_VERSION, ...header })}\n`);
  return socket;
}

function parseEvent(line: string): ServeEvent | null {
  try {
    return JSON.parse(line) as ServeEvent;
  } catch {
    return null;
  }
}

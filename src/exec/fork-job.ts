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
import { PROTOCOL_VERSION, type ServeEvent, type ServeRunRequest, type StepJob } from "../model/protocol.js";
import { traceMark } from "../util/trace-timings.js";
import { openLogs } from "./bounded-log.js";
import { KILL_GRACE_MS, readOutcome, STRAY_PIPE_GRACE_MS } from "./cold.js";
import type { WarmServer } from "./fork-server.js";
import { type StopWatch, watchForStop } from "./limits.js";
import { signalGroup, trackGroup, untrackGroup } from "./process-group.js";
import type { ExecRequest, ExecResult } from "./types.js";

/** Who is to blame when a job must be retried cold: decides what happens to the server. */
export type Blame = "server" | "child" | "none";

export type ForkAttempt =
  | { readonly kind: "done"; readonly result: ExecResult }
  | { readonly kind: "retry"; readonly reason: string; readonly blame: Blame };

/**
 * What a forked job needs of an ExecRequest: a node's job, or (`mode: "inspect"`) the runner's
 * inspect mode on `jobFile`, with a job that only names the node and its folders.
 */
export type ForkRequest = Pick<
  ExecRequest,
  "jobFile" | "env" | "timeoutMs" | "logs" | "maxLogBytes" | "signal" | "output"
> & {
  readonly job: Pick<StepJob, "node" | "workDir" | "sourceDir" | "resultFile" | "outputPaths">;
  readonly mode?: ServeRunRequest["mode"];
};

export function runForked(
  server: WarmServer,
  request: ForkRequest,
  startDeadlineMs: number,
): Promise<ForkAttempt> {
  return new Promise<ForkAttempt>((resolve) => new ForkJob(server, request, resolve).start(startDeadlineMs));
}

type Exit = { readonly code: number | null; readonly signal: string | null };

/**
 * One job's state, which only moves forward: connected → forked (pid known) → running (the
 * child is set up) → exited or failed → settled (once both streams closed). `stop` (timeout,
 * cancel) and `fail` (the machinery's fault) may come at any point.
 */
class ForkJob {
  readonly #server: WarmServer;
  readonly #request: ForkRequest;
  readonly #resolve: (attempt: ForkAttempt) => void;
  readonly #id = randomUUID();
  readonly #started = performance.now();
  readonly #logs: ReturnType<typeof openLogs>;
  #limits: StopWatch | null = null;
  #control: net.Socket | null = null;
  #streams: net.Socket[] = [];
  #unsubscribe: () => void = () => {};
  #deadline: NodeJS.Timeout | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  /** After the child's exit: stop waiting for log pipes that strays it left may still hold. */
  #pipeTimer: NodeJS.Timeout | undefined;
  #pid: number | null = null;
  #running = false;
  #exit: Exit | null = null;
  #failure: { readonly reason: string; readonly blame: Blame } | null = null;
  #openStreams = 2;
  #settled = false;

  constructor(server: WarmServer, request: ForkRequest, resolve: (attempt: ForkAttempt) => void) {
    this.#server = server;
    this.#request = request;
    this.#resolve = resolve;
    this.#logs = openLogs(request);
  }

  start(startDeadlineMs: number): void {
    // First the limits: a run cancelled already stops the child as soon as it has a pid.
    this.#limits = watchForStop(this.#request, () => this.#stop());
    this.#deadline = setTimeout(() => this.#missedStart(startDeadlineMs), startDeadlineMs);
    this.#streams = (["stdout", "stderr"] as const).map((name) => this.#openStream(name));
    this.#control = this.#openControl();
    traceMark(this.#request.job.node, "fork:requested");
    this.#unsubscribe = this.#server.onExit((why) =>
      this.#fail(`the fork server ${why} while the node ran`, "server"),
    );
  }

  #openStream(name: "stdout" | "stderr"): net.Socket {
    const socket = connect(this.#server, { kind: "stream", id: this.#id, stream: name });
    socket.on("data", (chunk: Buffer) => this.#logs[name].write(chunk));
    socket.on("close", () => {
      this.#openStreams--;
      this.#finish();
    });
    return socket;
  }

  #openControl(): net.Socket {
    const { job, jobFile, env, mode } = this.#request;
    const run: Omit<ServeRunRequest, "protocolVersion"> = {
      kind: "run",
      id: this.#id,
      jobFile,
      env,
      cwd: job.workDir,
      sourceDir: job.sourceDir,
      ...(mode ? { mode } : {}),
    };
    const control = connect(this.#server, run);
    createInterface({ input: control })
      .on("line", (line) => this.#onEvent(parseEvent(line)))
      .on("error", () => {}); // readline passes the socket's errors on; "close" tells the story
    control.on("close", () => this.#controlClosed());
    return control;
  }

  #onEvent(event: ServeEvent | null): void {
    traceMark(this.#request.job.node, `fork:event-${event?.event ?? "?"}`);
    // Ended already: a late `forked` (the server's, after the child's own `exit`) or a second `exit`.
    if (this.#exit || this.#failure || this.#settled) return;
    if (event?.event === "forked") this.#forked(event.pid);
    else if (event?.event === "running") {
      this.#forked(event.pid); // the child's own word may come before the server's `forked`
      this.#running = true;
      clearTimeout(this.#deadline);
    } else if (event?.event === "exit") this.#exited({ code: event.code, signal: event.signal });
    else if (event?.event === "error")
      this.#fail(`the fork server refused the job: ${event.message}`, "server");
  }

  /** The child's pid (its process group) is known: track it, and stop it if asked to already. */
  #forked(pid: number): void {
    if (this.#pid !== null) return;
    this.#pid = pid;
    trackGroup(pid);
    if (this.#stopRequested()) this.#stop();
  }

  #exited(exit: Exit): void {
    if (!this.#running) {
      const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
      this.#fail(`the forked child ended before it started (${how}); see the server's stderr`, "none");
      return;
    }
    this.#exit = exit;
    if (this.#pid !== null) signalGroup(this.#pid, "SIGKILL"); // what the script left running
    this.#pipeTimer = setTimeout(() => {
      for (const stream of this.#streams) stream.destroy();
    }, STRAY_PIPE_GRACE_MS);
    this.#finish();
  }

  #controlClosed(): void {
    if (this.#exit || this.#failure || this.#settled) return;
    const server = this.#server;
    // The socket often closes just before the server's exit is seen; wait a moment for the why.
    const blame = () =>
      this.#fail(
        server.ended
          ? `the fork server ${server.ended} while the node ran`
          : "the fork server closed the connection",
        "server",
      );
    if (server.alive) setTimeout(blame, 200);
    else blame();
  }

  #missedStart(startDeadlineMs: number): void {
    if (this.#running) return;
    const seconds = startDeadlineMs / 1000;
    if (this.#pid === null) this.#fail(`the fork server did not fork within ${seconds} s`, "server");
    else
      this.#fail(
        `the forked child did not start within ${seconds} s (start deadline): ` +
          "a preloaded module is probably not fork-safe",
        "child",
      );
  }

  #stopRequested(): boolean {
    return (this.#limits?.timedOut() ?? false) || (this.#limits?.cancelled() ?? false);
  }

  /** Timeout or cancel: SIGTERM to the child's group, SIGKILL after the grace period. */
  #stop(): void {
    if (this.#pid === null || this.#killTimer) return; // no pid yet: stopped as soon as it is forked
    signalGroup(this.#pid, "SIGTERM");
    this.#killTimer = setTimeout(() => this.#killHard(), KILL_GRACE_MS);
  }

  #killHard(): void {
    if (this.#pid === null) return;
    signalGroup(this.#pid, "SIGKILL");
    try {
      process.kill(this.#pid, "SIGKILL"); // not yet a group leader if it never reached its setsid
    } catch {}
  }

  #fail(reason: string, blame: Blame): void {
    if (this.#failure || this.#exit || this.#settled) return;
    this.#failure = { reason, blame };
    this.#killHard();
    this.#control?.destroy();
    for (const stream of this.#streams) stream.destroy();
  }

  /** Settles once the child exited (or the job failed) and both streams are closed. */
  #finish(): void {
    if (this.#settled || this.#openStreams > 0 || !(this.#exit || this.#failure)) return;
    this.#settled = true;
    traceMark(this.#request.job.node, "fork:streams-closed");
    this.#limits?.dispose();
    clearTimeout(this.#deadline);
    clearTimeout(this.#killTimer);
    clearTimeout(this.#pipeTimer);
    this.#unsubscribe();
    this.#control?.destroy();
    if (this.#pid !== null) untrackGroup(this.#pid);
    const droppedBytes = { stdout: this.#logs.stdout.close(), stderr: this.#logs.stderr.close() };
    // A job stopped on purpose is not retried, whatever happened to the server meanwhile.
    if (this.#failure && !this.#stopRequested()) this.#resolve({ kind: "retry", ...this.#failure });
    else this.#resolve({ kind: "done", result: this.#result(droppedBytes) });
  }

  #result(droppedBytes: ExecResult["droppedBytes"]): ExecResult {
    const outcome = readOutcome(this.#request.job.resultFile);
    traceMark(this.#request.job.node, "fork:outcome-read");
    return {
      outcome,
      exitCode: this.#exit?.code ?? null,
      signal: this.#exit?.signal ?? null,
      timedOut: this.#limits?.timedOut() ?? false,
      cancelled: this.#limits?.cancelled() ?? false,
      durationMs: performance.now() - this.#started,
      droppedBytes,
      spawnError: null,
      executor: "fork",
      outputs: this.#request.job.outputPaths,
    };
  }
}

function connect(server: WarmServer, header: object): net.Socket {
  const socket = net.createConnection({ path: server.socketPath });
  socket.on("error", () => {}); // a dead server shows as "close"; the reason comes from the server
  const token = server.token === null ? {} : { token: server.token };
  socket.write(`${JSON.stringify({ protocolVersion: PROTOCOL_VERSION, ...header, ...token })}\n`);
  return socket;
}

function parseEvent(line: string): ServeEvent | null {
  try {
    return JSON.parse(line) as ServeEvent;
  } catch {
    return null;
  }
}

/**
 * One warm fork server process (`python/dagtest_runner/serve.py`). It is ready once it prints
 * its status line. Orphans are prevented three ways: its stdin is a pipe only this process
 * holds, so the server reads EOF and exits (killing its children's groups) when dagtest dies,
 * even by SIGKILL; it also polls its parent pid; and its process group is tracked, so a normal
 * exit of dagtest kills it like any node.
 */
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { PROTOCOL_VERSION, type ServeStatus } from "../model/protocol.js";
import { runnerMain } from "./cold.js";
import { signalGroup, trackGroup, untrackGroup } from "./process-group.js";
import type { PreloadList } from "./types.js";

export type ServerReady = Extract<ServeStatus, { event: "ready" }>;

export interface ServerSpec {
  readonly python: string;
  readonly env: Readonly<Record<string, string>>;
  readonly preload: PreloadList;
  readonly bootTimeoutMs: number;
}

/** What a job needs of a warm server: this process's own child, or one kept between commands. */
export interface WarmServer {
  readonly socketPath: string;
  readonly status: ServerReady;
  /** Sent with every request (a kept server refuses requests without its token). */
  readonly token: string | null;
  readonly pid: number;
  readonly alive: boolean;
  readonly ended: string | null;
  onExit(listener: (why: string) => void): () => void;
  stop(): Promise<void>;
  kill(): void;
}

const STDERR_TAIL = 4096;
const STOP_GRACE_MS = 3000;

export class ForkServer implements WarmServer {
  readonly socketPath: string;
  readonly token = null;
  readonly status: ServerReady;
  readonly #child: ChildProcess;
  #ended: string | null = null;
  readonly #listeners = new Set<(why: string) => void>();
  readonly #stderr: { tail: string };

  private constructor(
    socketPath: string,
    status: ServerReady,
    child: ChildProcess,
    stderr: { tail: string },
  ) {
    this.socketPath = socketPath;
    this.status = status;
    this.#child = child;
    this.#stderr = stderr;
    child.once("exit", (code, signal) => {
      this.#ended = describeExit(code, signal, stderr.tail);
      for (const listener of this.#listeners) listener(this.#ended);
      this.#listeners.clear();
    });
    // A forgotten close() must not keep dagtest alive: the pipes are unref'd once booted.
    for (const stream of [child.stdin, child.stdout, child.stderr]) unrefStream(stream);
    child.unref();
  }

  /** Start a server and wait until it is ready; a string says why it could not be. */
  static start(spec: ServerSpec): Promise<ForkServer | string> {
    // A private folder per server, for its socket only (a socket path must stay under ~100
    // bytes): the server removes it when it exits, and so does this process when it sees that.
    const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-warm-"));
    const socketPath = path.join(dir, "serve.sock");
    const { child, stderr } = spawnServer(spec, dir, socketPath);
    const pid = child.pid;
    return new Promise((resolve) => {
      let done = false;
      const settle = (value: ForkServer | string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        lines.close();
        if (typeof value === "string" && pid !== undefined) signalGroup(pid, "SIGKILL");
        resolve(value);
      };
      const timer = setTimeout(
        () => settle(`the fork server was not ready after ${spec.bootTimeoutMs / 1000} s`),
        spec.bootTimeoutMs,
      );
      child.once("error", (error) => settle(`the fork server could not start: ${error.message}`));
      child.once("exit", (code, signal) =>
        settle(`the fork server ${describeExit(code, signal, stderr.tail)} before it was ready`),
      );
      const lines = createInterface({ input: child.stdout });
      lines.once("line", (line) => {
        const status = parseStatus(line);
        if (status?.event === "ready") settle(new ForkServer(socketPath, status, child, stderr));
        else if (status?.event === "refused") settle(`the fork server refused to fork: ${status.reason}`);
        else settle(`the fork server said something unexpected: ${line.slice(0, 200)}`);
      });
    });
  }

  get pid(): number {
    return this.status.pid;
  }

  get alive(): boolean {
    return this.#ended === null;
  }

  /** Why the server ended (null while it runs). */
  get ended(): string | null {
    return this.#ended;
  }

  /** Call `listener` once when the server ends; returns the unsubscriber. */
  onExit(listener: (why: string) => void): () => void {
    if (this.#ended !== null) {
      listener(this.#ended);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ask the server to exit (EOF on its stdin; it kills its children), then make sure. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise<void>((resolve) => this.onExit(() => resolve()));
    this.#child.stdin?.end();
    const timer = setTimeout(() => signalGroup(this.pid, "SIGKILL"), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  /** Kill the server at once (it hung or misbehaved); its jobs see it die. */
  kill(): void {
    if (this.alive) signalGroup(this.pid, "SIGKILL");
  }

  /** The last lines the server wrote on stderr, for diagnostics. */
  get stderrTail(): string {
    return this.#stderr.tail;
  }
}

function parseStatus(line: string): ServeStatus | null {
  try {
    const value = JSON.parse(line) as ServeStatus;
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const last = stderr.trim().split("\n").at(-1);
  return last ? `${how} (${last.slice(0, 300)})` : how;
}

function unrefStream(stream: unknown): void {
  const handle = stream as { unref?: () => void } | null;
  handle?.unref?.();
}

/** The server process, its group tracked, its stderr's tail kept, its folder removed when it ends. */
function spawnServer(
  spec: ServerSpec,
  dir: string,
  socketPath: string,
): { child: ChildProcessWithoutNullStreams; stderr: { tail: string } } {
  const config = JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    preload: spec.preload.imports,
    explicit: spec.preload.explicit,
  });
  const child = spawn(spec.python, [runnerMain(), "serve", socketPath, config], {
    cwd: dir,
    env: spec.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  const stderr = { tail: "" };
  child.stderr.on("data", (chunk: Buffer) => {
    stderr.tail = (stderr.tail + chunk.toString("utf8")).slice(-STDERR_TAIL);
  });
  child.stdin.on("error", () => {}); // EPIPE once the server is gone: nothing to do
  // Removed when the server closes, and also if dagtest quits first (a second Ctrl-C exits at once).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.on("exit", removeDir);
  child.on("close", () => {
    removeDir();
    process.off("exit", removeDir);
  });
  child.on("exit", () => {
    if (pid !== undefined) {
      untrackGroup(pid);
      signalGroup(pid, "SIGKILL"); // children caught before their setsid
    }
  });
  return { child, stderr };
}

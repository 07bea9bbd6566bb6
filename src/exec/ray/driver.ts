/**
 * The Ray driver process (`python -m dagtest_ray`, python/dagtest_ray/driver.py) and its JSON-lines
 * protocol. Ray's client API is Python only, so the executor talks to one small Python process
 * that holds the cluster connection: requests on its stdin, one answer per request (same `id`) on
 * its stdout, Ray's own output on its stderr. It runs in its own process group and ends on stdin
 * EOF (after cancelling what is still running), so it never outlives dagtest, even a killed one.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ExecFailure } from "../types.js";

export interface DriverReply {
  readonly id: string;
  readonly ok: boolean;
  readonly cancelled?: boolean;
  readonly error?: ExecFailure;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly timedOut?: boolean;
  readonly dropped?: { readonly stdout: number; readonly stderr: number };
  readonly nodeId?: string;
  readonly host?: string;
  readonly stdoutFile?: string;
  readonly stderrFile?: string;
  readonly workers?: readonly { readonly nodeId: string; readonly host: string; readonly python: string }[];
}

const STDERR_TAIL = 8 * 1024;

export class RayDriver {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<string, (reply: DriverReply) => void>();
  #stderr = "";
  #exited: string | null = null;
  #next = 0;

  constructor(python: string, pythonDir: string) {
    this.#child = spawn(python, ["-m", "dagtest_ray"], {
      env: { ...process.env, PYTHONPATH: pythonDir, PYTHONUNBUFFERED: "1" },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#onLine(line));
    this.#child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    this.#child.on("error", (error) => this.#onExit(`could not start ${python}: ${error.message}`));
    this.#child.on("exit", (code, signal) => this.#onExit(`exited (${signal ?? `code ${code}`})`));
    this.#child.stdin.on("error", () => {});
  }

  /** Send a request and wait for its answer (a failure when the driver is gone). */
  request(body: Record<string, unknown> & { op: string }): { id: string; reply: Promise<DriverReply> } {
    const id = `r${++this.#next}`;
    const reply = new Promise<DriverReply>((resolve) => {
      if (this.#exited) return resolve(this.#goneReply(id));
      this.#pending.set(id, resolve);
      this.#child.stdin.write(`${JSON.stringify({ ...body, id })}\n`);
    });
    return { id, reply };
  }

  cancel(id: string): void {
    if (!this.#exited) this.#child.stdin.write(`${JSON.stringify({ op: "cancel", id })}\n`);
  }

  /** End the driver: it cancels what still runs and disconnects; killed if it takes too long. */
  async close(graceMs = 15_000): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #kill(): void {
    try {
      if (this.#child.pid !== undefined) process.kill(-this.#child.pid, "SIGKILL");
    } catch {}
  }

  #onLine(line: string): void {
    let reply: DriverReply;
    try {
      reply = JSON.parse(line) as DriverReply;
    } catch {
      return;
    }
    const resolve = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    resolve?.(reply);
  }

  #onExit(how: string): void {
    if (this.#exited) return;
    this.#exited = how;
    for (const [id, resolve] of this.#pending) resolve(this.#goneReply(id));
    this.#pending.clear();
  }

  #goneReply(id: string): DriverReply {
    const missingRay = /No module named '?ray'?/.test(this.#stderr);
    const error: ExecFailure = missingRay
      ? {
          code: "DAGTEST_RAY_NOT_INSTALLED",
          message: "the Ray driver's Python has no `ray` package",
          hint: "pip install 'ray' into that Python, or point run.ray.python at one that has it",
        }
      : {
          code: "DAGTEST_RAY_DRIVER_EXITED",
          message: `dagtest's Ray driver ${this.#exited}: ${this.#stderr.trim().split("\n").slice(-3).join(" | ")}`,
          hint: "see the message; check that `python -c 'import ray'` works with run.ray.python",
        };
    return { id, ok: false, cancelled: false, error };
  }
}

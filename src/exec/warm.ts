/**
 * The warm executor: each job is a child forked from a fork server that has already imported
 * the scripts' heavy modules, so a node starts in milliseconds instead of a second, with the
 * isolation of a fresh process (python/dagtest_runner/fork_child.py lists what is reset).
 *
 * One server per interpreter, per start-up environment (the `PYTHON*` and thread-count
 * variables a running interpreter cannot change) and per preload list, started by the first
 * job that needs it. Whatever goes wrong with the machinery falls back to a cold process for
 * that job, with the reason as a `[dagtest]` line at the top of its stderr log: a server that
 * refuses to fork or cannot start (every job of that server runs cold), a server that dies
 * (the job is retried cold once; the next job gets a new server, up to MAX_RESTARTS), a child
 * that misses its start deadline (retried cold; that server is not used again). A node with
 * `isolation: process` always runs cold.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { runnerMain, runProcess } from "./cold.js";
import { runForked } from "./fork-job.js";
import { ForkServer, type ServerReady, type ServerSpec, type WarmServer } from "./fork-server.js";
import { type KeepSettings, reachKeptServer } from "./kept-server.js";
import type { ExecRequest, ExecResult, Executor, InspectExit, InspectJob, WarmUpSpec } from "./types.js";

export interface WarmOptions {
  /** How long a forked child has to report that it is set up (default 10 s). */
  readonly startDeadlineMs?: number;
  /** How long a server has to preload and get ready (default 120 s). */
  readonly bootTimeoutMs?: number;
  /** Extra environment for the servers (tests use it to put a module on their path). */
  readonly serverEnv?: Readonly<Record<string, string>>;
  /** Told about what the user may want to know: fallbacks, restarts, modules not preloaded. */
  readonly onNotice?: (message: string) => void;
  /** Keep the server between commands (exec/kept-server.ts); absent: one server per executor. */
  readonly keep?: KeepSettings | null;
}

/** A server that died this many times is not restarted again in this run. */
export const MAX_RESTARTS = 3;

/** The inspect mode prints one small JSON result and a line per model: never near this. */
const INSPECT_LOG_BYTES = 16 * 1024 * 1024;

/** Variables read when the interpreter starts or a preloaded library loads: part of a server's key. */
const STARTUP_ENV = /^(PYTHON|OMP_|OPENBLAS_|MKL_|NUMEXPR_|VECLIB_|MPLBACKEND$)/;

/** One server's place in the executor; its flags change only through these methods. */
class Slot {
  /** Interpreter and start-up environment: slots with the same base share one live server. */
  readonly base: string;
  /** How many servers of this slot died before this one. */
  readonly deaths: number;
  readonly server: Promise<WarmServer | string>;
  inflight = 0;
  #dead = false;
  #retired = false;
  #cold: string | null = null;

  constructor(base: string, deaths: number, server: (slot: Slot) => Promise<WarmServer | string>) {
    this.base = base;
    this.deaths = deaths;
    this.server = server(this);
  }

  /** The server is gone (died, or killed for hanging): the next job gets a new one. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Stopped or killed on purpose: its end is not news. */
  get retired(): boolean {
    return this.#retired;
  }

  /** Set when the slot must not fork any more: every job runs cold with this reason. */
  get cold(): string | null {
    return this.#cold;
  }

  died(): void {
    this.#dead = true;
  }

  goCold(reason: string): void {
    this.#cold ??= reason;
  }

  /** Kill the server on purpose (it hung or lost a job): its end is expected. */
  async kill(): Promise<void> {
    this.#dead = true;
    this.#retired = true;
    const server = await this.server;
    if (typeof server !== "string") server.kill();
  }

  async stop(): Promise<void> {
    this.#retired = true;
    const server = await this.server;
    if (typeof server !== "string") await server.stop();
  }
}

export class WarmExecutor implements Executor {
  readonly name = "fork";
  readonly #options: WarmOptions;
  readonly #slots = new Map<string, Slot>();
  #closed = false;

  constructor(options: WarmOptions = {}) {
    this.#options = options;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    if (request.isolation === "process" || this.#closed) return cold(request, "");
    const { key, slot } = this.#slotFor(request);
    slot.inflight++;
    try {
      const server = await slot.server;
      if (typeof server === "string") return cold(request, `ran in a cold process: ${server}`);
      if (slot.cold) return cold(request, `ran in a cold process: ${slot.cold}`);
      const attempt = await runForked(server, request, this.#options.startDeadlineMs ?? 10_000);
      if (attempt.kind === "done") return attempt.result;
      if (attempt.blame === "child") slot.goCold(`earlier, ${attempt.reason}`);
      // A server that hung or lost a job is replaced; after a child blamed, none is used.
      if (attempt.blame !== "none") void slot.kill();
      this.#notice(`${request.job.node}: ${attempt.reason}; retried in a cold process`);
      resetJobDirs(request);
      return cold(request, `retried in a cold process: ${attempt.reason}`);
    } finally {
      this.#release(key, slot);
    }
  }

  /**
   * Start (or reach) the server that jobs like `spec` will fork from, without waiting for it:
   * called as soon as the plan is known and some node will run, so the boot overlaps the rest.
   */
  warmUp(spec: WarmUpSpec): void {
    if (this.#closed || process.platform !== "linux") return;
    this.#slotFor(spec);
  }

  /**
   * The model check's inspect job, forked from the server this node's job forked from: a child
   * that never ran a script loads the model as a fresh interpreter would, without the second of
   * imports. Never boots a server; any trouble and the caller starts a fresh interpreter.
   */
  async inspect(spec: WarmUpSpec, job: InspectJob): Promise<InspectExit | null> {
    const { key } = this.#keyOf(spec);
    const slot = this.#closed ? undefined : this.#slots.get(key);
    if (!slot || slot.dead || slot.cold) return null;
    slot.inflight++;
    try {
      const server = await slot.server;
      if (typeof server === "string") return null;
      const attempt = await runForked(
        server,
        {
          mode: "inspect",
          jobFile: job.requestFile,
          env: spec.env,
          timeoutMs: job.timeoutMs,
          logs: job.logs,
          maxLogBytes: INSPECT_LOG_BYTES,
          signal: job.signal,
          job: {
            node: job.node,
            workDir: job.cwd,
            sourceDir: job.sourceDir,
            resultFile: path.join(job.cwd, "no-outcome.json"),
            outputPaths: {},
          },
        },
        this.#options.startDeadlineMs ?? 10_000,
      );
      if (attempt.kind !== "done") return null;
      const { exitCode, signal, timedOut } = attempt.result;
      return { code: exitCode, signal, timedOut };
    } finally {
      this.#release(key, slot);
    }
  }

  /** A job of `slot` ended: a slot replaced meanwhile (watch mode) stops with its last job. */
  #release(key: string, slot: Slot): void {
    slot.inflight--;
    if (this.#slots.get(key) !== slot && slot.inflight === 0) void slot.stop();
  }

  /** The live servers' status lines (pid, preloaded modules, boot time): tests, benchmarks. */
  async servers(): Promise<ServerReady[]> {
    const servers = await Promise.all([...this.#slots.values()].map((s) => s.server));
    return servers.flatMap((s) => (typeof s !== "string" && s.alive ? [s.status] : []));
  }

  async serverPids(): Promise<number[]> {
    return (await this.servers()).map((s) => s.pid);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(slots.map((slot) => slot.stop()));
  }

  /** Which server jobs like `request` fork from: `base` (interpreter, start-up env) and preloads. */
  #keyOf(request: WarmUpSpec): { key: string; base: string; env: Record<string, string> } {
    const env = this.#serverEnv(request);
    const base = JSON.stringify([
      request.python,
      ...Object.entries(env)
        .filter(([k]) => STARTUP_ENV.test(k))
        .sort(),
    ]);
    return { key: JSON.stringify([base, request.preload.imports, request.preload.explicit]), base, env };
  }

  /** The slot for this request's server, started (or restarted) if need be. */
  #slotFor(request: WarmUpSpec): { key: string; slot: Slot } {
    const { key, base, env } = this.#keyOf(request);
    const existing = this.#slots.get(key);
    if (existing?.dead && !existing.cold) {
      if (existing.deaths + 1 >= MAX_RESTARTS) existing.goCold(`the fork server died ${MAX_RESTARTS} times`);
      else return { key, slot: this.#boot(key, base, request, env, existing.deaths + 1) };
    }
    if (existing) return { key, slot: existing };
    // Watch mode changes the preload list when a script's imports change: the old server of
    // this interpreter is stopped once its jobs are done.
    for (const [other, slot] of this.#slots) {
      if (slot.base !== base) continue;
      this.#slots.delete(other);
      if (slot.inflight === 0) void slot.stop();
    }
    return { key, slot: this.#boot(key, base, request, env, 0) };
  }

  #boot(key: string, base: string, request: WarmUpSpec, env: Record<string, string>, deaths: number): Slot {
    const spec: ServerSpec = {
      python: request.python,
      env,
      preload: request.preload,
      bootTimeoutMs: this.#options.bootTimeoutMs ?? 120_000,
    };
    const keep = this.#options.keep;
    // A kept server is reused across commands; when it cannot be had, one of our own.
    const starting: Promise<WarmServer | string> = keep
      ? reachKeptServer(spec, keep, base).then((kept): WarmServer | Promise<WarmServer | string> => {
          if (typeof kept !== "string") return kept;
          this.#notice(`${kept}; this command uses a server of its own`);
          return ForkServer.start(spec);
        })
      : ForkServer.start(spec);
    const slot = new Slot(base, deaths, (self) => starting.then((started) => this.#started(self, started)));
    this.#slots.set(key, slot);
    return slot;
  }

  /** Tell what the user may want to know about a new server, and watch for its end. */
  #started(slot: Slot, started: WarmServer | string): WarmServer | string {
    if (typeof started === "string") {
      this.#notice(`${started}; scripts run in cold processes`);
      return started;
    }
    const unusual = started.status.skipped.filter((s) => !/^not (installed|an installed)/.test(s.reason));
    if (unusual.length > 0)
      this.#notice(`not preloaded: ${unusual.map((s) => `${s.module} (${s.reason})`).join("; ")}`);
    if (slot.deaths > 0) this.#notice(`fork server restarted (pid ${started.pid})`);
    started.onExit((why) => {
      slot.died();
      if (!this.#closed && !slot.retired) this.#notice(`the fork server (pid ${started.pid}) ${why}`);
    });
    return started;
  }

  /** The server's environment: dagtest's own, with the job's start-up variables. */
  #serverEnv(request: WarmUpSpec): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STARTUP_ENV.test(k)) env[k] = v;
    for (const [k, v] of Object.entries(request.env)) if (STARTUP_ENV.test(k)) env[k] = v;
    return { ...env, ...this.#options.serverEnv };
  }

  #notice(message: string): void {
    this.#options.onNotice?.(message);
  }
}

function cold(request: ExecRequest, why: string): Promise<ExecResult> {
  return runProcess(request, [runnerMain(), "run", request.jobFile], why ? `[dagtest] ${why}\n` : "");
}

/**
 * Before a cold retry: the failed attempt may have left a result file and partial outputs.
 * Only folders inside the node's own run folder are emptied.
 */
function resetJobDirs(request: ExecRequest): void {
  const nodeDir = path.dirname(request.job.workDir);
  rmSync(request.job.resultFile, { force: true });
  const dirs = [request.job.workDir, ...Object.values(request.job.outputPaths)];
  if (request.env.TMPDIR) dirs.push(request.env.TMPDIR);
  for (const dir of dirs) {
    if (!path.resolve(dir).startsWith(nodeDir + path.sep)) continue;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
}

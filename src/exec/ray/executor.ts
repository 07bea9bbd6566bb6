/**
 * The Ray executor: each node one Ray task on a cluster, running the bundled runner on its job.
 * Scheduling stays dagtest's (the ready set, `--jobs`, fail-fast); Ray only places the task. The
 * node's folders travel as bytes through Ray's object store (or by path under `run.ray.shared_dir`)
 * and come back into the node's run folder, so the checks, the cache and the reports see exactly
 * what a local run leaves. See python/dagtest_ray/ for the driver and what runs on a worker.
 */
import { createReadStream, rmSync } from "node:fs";
import type { RaySettings } from "../../model/plan.js";
import { runnerDir } from "../../python/describe.js";
import { openLogs } from "../bounded-log.js";
import { readOutcome } from "../cold.js";
import { watchForStop } from "../limits.js";
import type { ExecFailure, ExecRequest, ExecResult, Executor } from "../types.js";
import { type DriverReply, RayDriver } from "./driver.js";

/** Past the node's own timeout (enforced on the worker), how long before dagtest cancels the task. */
const BACKSTOP_MS = 30_000;

export interface RayExecutorOptions extends Partial<RaySettings> {
  /** Where notices go (which cluster, how many workers). */
  readonly onNotice?: (message: string) => void;
}

export class RayExecutor implements Executor {
  readonly name = "ray";
  readonly #options: RayExecutorOptions;
  #driver: RayDriver | null = null;
  readonly #checked = new Map<string, Promise<ExecFailure | null>>();

  constructor(options: RayExecutorOptions = {}) {
    this.#options = options;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    const started = performance.now();
    const address = this.#options.address ?? process.env.RAY_ADDRESS ?? null;
    if (!address) return failedResult(request, started, NO_ADDRESS);
    const driver = this.#driverFor(request.python);
    const failure = await this.#connect(driver, address, request);
    if (failure) return failedResult(request, started, failure);
    if (request.signal.aborted) return { ...failedResult(request, started, CANCELLED), cancelled: true };
    const { id, reply } = driver.request({
      op: "run",
      job: request.job,
      jobFile: request.jobFile,
      env: nodeEnv(request),
      timeoutMs: request.timeoutMs,
      maxLogBytes: request.maxLogBytes,
      placement: request.placement ?? null,
    });
    const limits = watchForStop({ ...request, timeoutMs: request.timeoutMs + BACKSTOP_MS }, () =>
      driver.cancel(id),
    );
    const answer = await reply;
    limits.dispose();
    return resultOf(request, answer, started, limits);
  }

  async close(): Promise<void> {
    const driver = this.#driver;
    this.#driver = null;
    this.#checked.clear();
    await driver?.close();
  }

  #driverFor(python: string): RayDriver {
    this.#driver ??= new RayDriver(this.#options.python ?? python, runnerDir());
    return this.#driver;
  }

  /** Join the cluster and check every worker's environment for these modules, once per set. */
  #connect(driver: RayDriver, address: string, request: ExecRequest): Promise<ExecFailure | null> {
    const modules = [...new Set([...request.preload.imports, ...request.preload.explicit])].sort();
    const key = modules.join(",");
    let checked = this.#checked.get(key);
    if (!checked) {
      checked = driver
        .request({
          op: "connect",
          address,
          modules,
          python: request.python,
          sharedDir: this.#options.sharedDir ?? null,
        })
        .reply.then((answer) => {
          if (!answer.ok) return answer.error ?? null;
          const hosts = (answer.workers ?? []).map((w) => `${w.host} (Python ${w.python})`);
          this.#options.onNotice?.(`ray: ${address}, ${hosts.length} node(s): ${hosts.join(", ")}`);
          return null;
        });
      this.#checked.set(key, checked);
    }
    return checked;
  }
}

const NO_ADDRESS: ExecFailure = {
  code: "DAGTEST_RAY_NO_ADDRESS",
  message: "executor ray needs the address of a Ray cluster, and none was given",
  hint: "pass --ray-address HOST:PORT, set RAY_ADDRESS, or write run.ray.address in dagtest.yaml",
};

const CANCELLED: ExecFailure = { code: "DAGTEST_RAY_CANCELLED", message: "cancelled", hint: "" };

/**
 * The env the node gets on the worker: the job's env and every variable dagtest sets for the
 * child (TMPDIR, ...), over the worker's own environment, never the laptop's whole one.
 */
function nodeEnv(request: ExecRequest): Record<string, string> {
  const env: Record<string, string> = { ...request.job.environ };
  for (const [key, value] of Object.entries(request.env)) if (process.env[key] !== value) env[key] = value;
  return env;
}

async function resultOf(
  request: ExecRequest,
  answer: DriverReply,
  started: number,
  limits: { timedOut: () => boolean; cancelled: () => boolean },
): Promise<ExecResult> {
  if (!answer.ok) {
    const result = failedResult(request, started, answer.error ?? CANCELLED);
    const cancelled = limits.cancelled() || (answer.cancelled ?? false);
    return { ...result, cancelled, timedOut: limits.timedOut() && !cancelled };
  }
  const dropped = await copyLogs(request, answer);
  return {
    outcome: readOutcome(request.job.resultFile),
    exitCode: answer.exitCode ?? null,
    signal: answer.signal ?? null,
    timedOut: answer.timedOut ?? false,
    cancelled: false,
    durationMs: performance.now() - started,
    droppedBytes: {
      stdout: dropped.stdout + (answer.dropped?.stdout ?? 0),
      stderr: dropped.stderr + (answer.dropped?.stderr ?? 0),
    },
    spawnError: null,
    executor: "ray",
    outputs: request.job.outputPaths,
    ...(answer.nodeId ? { workerNode: answer.nodeId } : {}),
  };
}

/** The worker's (already capped) logs into the node's log files, streaming their lines. */
async function copyLogs(
  request: ExecRequest,
  answer: DriverReply,
): Promise<{ stdout: number; stderr: number }> {
  const logs = openLogs(request);
  for (const stream of ["stdout", "stderr"] as const) {
    const file = stream === "stdout" ? answer.stdoutFile : answer.stderrFile;
    if (!file) continue;
    for await (const chunk of createReadStream(file)) logs[stream].write(chunk as Buffer);
    rmSync(file, { force: true });
  }
  return { stdout: logs.stdout.close(), stderr: logs.stderr.close() };
}

/** The executor could not run the job: its logs say why (as a local run's, they always exist). */
function failedResult(request: ExecRequest, started: number, failure: ExecFailure): ExecResult {
  const logs = openLogs(request);
  logs.stderr.write(Buffer.from(`[dagtest] ${failure.message} [${failure.code}]\n`));
  logs.stdout.close();
  logs.stderr.close();
  return {
    outcome: null,
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    durationMs: performance.now() - started,
    droppedBytes: { stdout: 0, stderr: 0 },
    spawnError: null,
    executor: "ray",
    failure,
  };
}

/**
 * A run session: a run assembled in one place, with one set of defaults, for every front end
 * (the CLI, watch mode, the factory, and later the UI server and the Python client). It owns
 * the executor (a warm server stays up between runs of one session), the reporter bus (the
 * session's reporters hear every run and the executor's notices in between), the cache (with
 * eviction after each run) and the defaults (jobs: the number of cores).
 */
import os from "node:os";
import path from "node:path";
import { LocalCache } from "../cache/store.js";
import { createExecutor, type ExecutorChoice, keepSettings } from "../exec/index.js";
import type { Executor } from "../exec/types.js";
import type { Reporter } from "../model/events.js";
import type { ExecutorName, Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { DEFAULT_SNAPSHOT_SETTINGS, type SnapshotRunMode, type SnapshotSettings } from "../model/snapshot.js";
import { snapshotPath } from "../snapshot/store.js";
import { ReporterBus } from "./bus.js";
import { type RunOptions, runPlan } from "./run.js";

/** What a session needs to know of a project (a loaded `Project` has it). */
export interface SessionProject {
  /** The folder that holds dagtest.yaml and `.dagtest/`. */
  readonly baseDir: string;
  /** The interpreter, unless the plan names one. */
  readonly python: string;
  readonly execution: {
    readonly cache: { readonly enabled: boolean; readonly max_mb: number };
    /** `run.executor` and `run.ray` of dagtest.yaml. */
    readonly executor?: ExecutorName;
    readonly ray?: { readonly address?: string; readonly shared_dir?: string; readonly python?: string };
    readonly keep_warm?: boolean | number;
  };
  /** dagtest.yaml `snapshots:`; default: the built-in tolerances, not configured. */
  readonly snapshots?: SnapshotSettings;
}

export interface RunSessionOptions {
  readonly project: SessionProject;
  /** The executor; default: warm (fork server) on Linux, cold with `cold`. Closed with the session only when it made it. */
  readonly executor?: Executor;
  readonly cold?: boolean;
  /** `--executor`: overrides `run.executor`. */
  readonly executorName?: ExecutorName;
  /** `--ray-address`: overrides `run.ray.address` (and RAY_ADDRESS). */
  readonly rayAddress?: string;
  /**
   * Keep the warm server between commands as `run.keep_warm` says (the CLI); default false: the
   * session's server ends with it (library users, tests).
   */
  readonly keepWarm?: boolean;
  /** Reporters for the whole session: every run's events, and the notices between runs. */
  readonly reporters?: readonly Reporter[];
  /** False runs every node and stores nothing (`--no-cache`); the project can turn it off too. */
  readonly cache?: boolean;
  /** Default for each run: the number of cores. */
  readonly concurrency?: number;
}

/** Per run: what may change between runs of one session. */
export type SessionRunOptions = Pick<
  RunOptions,
  | "failFast"
  | "shuffleSeed"
  | "signal"
  | "runId"
  | "force"
  | "selected"
  | "command"
  | "checks"
  | "concurrency"
> & {
  /** Reporters for this run only (closed when it ends). */
  readonly reporters?: readonly Reporter[];
  /** The project as reloaded since the session began (watch mode); default: the session's. */
  readonly project?: SessionProject;
  /** `--update-snapshots` / `--ci`; default: compare, and CI mode when the CI env var is true. */
  readonly snapshotMode?: SnapshotRunMode;
};

/** CI=true (or 1), as CI services set it: snapshots are never written. */
export function ciFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? "").toLowerCase();
  return value !== "" && value !== "false" && value !== "0";
}

export interface RunSession {
  readonly executor: Executor;
  /** Where events and notices go; `notice` from a front end reaches the same reporters. */
  readonly bus: ReporterBus;
  run(plan: Plan, options?: SessionRunOptions): Promise<RunResult>;
  /** Close the executor (if the session made it) and the session's reporters. */
  close(): Promise<void>;
}

export function createRunSession(options: RunSessionOptions): RunSession {
  const bus = new ReporterBus(options.reporters ?? []);
  const executor = options.executor ?? createExecutor(executorChoice(options, bus));
  const concurrency = options.concurrency ?? Math.max(1, os.availableParallelism());
  return {
    executor,
    bus,
    async run(plan, { project = options.project, snapshotMode, ...run } = {}) {
      const cacheOn = (options.cache ?? true) && project.execution.cache.enabled;
      const cache = cacheOn ? new LocalCache(project.baseDir) : null;
      const result = await runPlan(plan, {
        concurrency,
        ...run,
        executor,
        bus,
        stateDir: project.baseDir,
        python: plan.sources.python.executable ?? project.python,
        cache,
        snapshots: {
          file: snapshotPath(project.baseDir),
          settings: project.snapshots ?? DEFAULT_SNAPSHOT_SETTINGS,
          mode: snapshotMode ?? { update: false, ci: ciFromEnv(), required: false },
        },
      });
      cache?.evict(project.execution.cache.max_mb * 1024 * 1024);
      return result;
    },
    async close() {
      if (!options.executor) await executor.close();
      await bus.close();
    },
  };
}

/** The executor a session makes: `--executor`/`run.executor`, with the Ray settings resolved. */
function executorChoice(options: RunSessionOptions, bus: ReporterBus): ExecutorChoice {
  const { execution, baseDir } = options.project;
  const ray = execution.ray ?? {};
  const address = options.rayAddress ?? ray.address;
  return {
    cold: options.cold ?? false,
    onNotice: (message) => bus.notice("warning", message),
    executor: options.executorName ?? execution.executor ?? "local",
    keep: options.keepWarm ? keepSettings(baseDir, execution.keep_warm ?? true) : null,
    ray: {
      ...(address ? { address } : {}),
      ...(ray.shared_dir ? { sharedDir: path.resolve(baseDir, ray.shared_dir) } : {}),
      ...(ray.python ? { python: ray.python } : {}),
    },
  };
}

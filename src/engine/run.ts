/**
 * `runPlan`: executes a plan without re-deriving it. Each script node goes through its stages
 * (lifecycle.ts: prepare → execute → verify → store) in dependency order (the scheduler); events
 * go to the reporters through one guarded bus; the run record is saved after every node.
 * A run assembled with its defaults (executor, cache, reporters) is a run session (session.ts).
 */
import { mkdirSync } from "node:fs";
import { fingerprintPlan } from "../cache/fingerprint.js";
import type { NodeCache } from "../cache/store.js";
import { DagtestError } from "../errors.js";
import { preloadOf } from "../exec/index.js";
import type { Executor } from "../exec/types.js";
import { adjacency, ancestors } from "../graph/topology.js";
import type { Reporter } from "../model/events.js";
import { runDirOf } from "../model/layout.js";
import type { Plan, ScriptNode } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { schedule } from "../scheduler/scheduler.js";
import { ReporterBus } from "./bus.js";
import { CacheStep } from "./cache-step.js";
import { modelCheck } from "./checks/model.js";
import { snapshotCheck } from "./checks/snapshot.js";
import { Chores } from "./chores.js";
import type { RunContext } from "./context.js";
import { edgeChecks } from "./edges.js";
import { expectedEnv, isScript } from "./jobs.js";
import { LayoutAhead } from "./layout-ahead.js";
import { discardLayout, internalErrorResult, runScriptNode } from "./lifecycle.js";
import { runPriority } from "./priority.js";
import { blockers } from "./readiness.js";
import { RunRecord } from "./record.js";
import { notRun } from "./results.js";
import { SnapshotBook, type SnapshotOptions } from "./snapshots.js";
import { recordFlows } from "./stages/store.js";
import { defaultChecks, type NodeCheck } from "./stages/verify.js";

export interface RunOptions {
  readonly executor: Executor;
  /** The folder that holds `.dagtest/` (the project root). */
  readonly stateDir: string;
  readonly python: string;
  /** This run's reporters: they get every event, and their `close` when the run ends. */
  readonly reporters?: readonly Reporter[];
  /** A session's bus the run also emits on (its reporters outlive the run); `reporters` join it. */
  readonly bus?: ReporterBus;
  readonly concurrency?: number;
  readonly failFast?: boolean;
  readonly shuffleSeed?: number | null;
  readonly signal?: AbortSignal;
  readonly runId?: string;
  /** The content-addressed cache; null or absent runs everything. */
  readonly cache?: NodeCache | null;
  /** Nodes that run even when cached (`--force`). */
  readonly force?: readonly string[];
  /** `--only/--from/--to`: the nodes to run; null for all. */
  readonly selected?: ReadonlySet<string> | null;
  /** The command to suggest when a partial run lacks upstream outputs. */
  readonly command?: string;
  /** Checks after each node, replacing the default ones (outputs present, inputs unchanged, edge profiles). */
  readonly checks?: readonly NodeCheck[];
  /** Snapshot file, settings and mode; absent or null: no snapshots (the file is not even read). */
  readonly snapshots?: Omit<SnapshotOptions, "python"> | null;
}

export async function runPlan(plan: Plan, options: RunOptions): Promise<RunResult> {
  assertRunnable(plan);
  const { ctx, scripts, priority } = openRun(plan, options);
  warmUpEarly(ctx, scripts);
  ctx.bus.emit({ type: "runStart", plan, runId: ctx.runId, runDir: ctx.runDir, total: scripts.length });
  recordNodesNotRun(ctx, scripts);
  recordFlows(ctx, edgeChecks(plan, ctx.runDir, null));
  ctx.record.save();
  const byName = new Map(scripts.map((n) => [n.name, n]));
  for (const node of scripts) ctx.bus.emit({ type: "nodeQueued", node: node.name });
  const outcome = await schedule({
    order: plan.order.filter((n) => byName.has(n)),
    dependencies: new Map(scripts.map((n) => [n.name, n.upstream])),
    concurrency: Math.max(1, options.concurrency ?? 1),
    failFast: options.failFast ?? false,
    shuffleSeed: options.shuffleSeed ?? null,
    priority,
    signal: ctx.signal,
    run: (name, running) => runScriptNode(ctx, byName.get(name)!, running),
    skip: (name, why, blamed) => skipNode(ctx, name, why, blamed),
    crashed: (name, error) => crashedNode(ctx, name, error),
  });
  await ctx.chores.done();
  ctx.record.interrupted = outcome.stopped;
  await ctx.record.flush();
  ctx.record.save();
  ctx.record.close();
  saveSnapshots(ctx);
  const result = ctx.record.result();
  ctx.bus.emit({ type: "runEnd", result });
  await ctx.bus.close(options.reporters ?? []);
  ctx.bus.detach(options.reporters ?? []);
  return result;
}

function assertRunnable(plan: Plan): void {
  const global = plan.problems.filter((p) => p.severity === "error" && p.node === null);
  if (global.length === 0) return;
  throw new DagtestError({
    code: "DAGTEST_PLAN_NOT_READY",
    message: `The plan has ${global.length} error(s) that stop every node: ${global.map((p) => p.message).join(" ")}`,
    hint: global[0]!.hint || "Run `dagtest plan` and fix the errors it lists.",
  });
}

/** The run's folder, record, bus and cache step; fails before creating anything on a bad partial run. */
function openRun(
  plan: Plan,
  options: RunOptions,
): { ctx: RunContext; scripts: ScriptNode[]; priority: Map<string, number> } {
  const runId = options.runId ?? newRunId();
  const runDir = runDirOf(options.stateDir, runId);
  const selected = options.selected ?? null;
  const cacheStep = new CacheStep(
    {
      cache: options.cache ?? null,
      force: new Set(options.force ?? []),
      selected,
      stateDir: options.stateDir,
    },
    options.cache || selected ? fingerprintPlan(plan) : new Map(),
    runDir,
    runId,
  );
  const wanted = selected ? needed(plan, selected) : null;
  const scripts = plan.nodes.filter(isScript).filter((n) => !wanted || wanted.has(n.name));
  if (selected) {
    const reused = scripts.filter((n) => !selected.has(n.name)).map((n) => n.name);
    cacheStep.checkPartialRun(reused, options.command ?? "dagtest run");
  }
  // From earlier runs only: read before this run's folder exists. Only an order among nodes that
  // run: none when every node is (most likely) restored from the cache.
  const priority = scripts.every((n) => cacheStep.likelyRestored(n))
    ? new Map<string, number>()
    : runPriority(plan, options.stateDir);
  const snapshots = options.snapshots
    ? SnapshotBook.open({ ...options.snapshots, python: options.python })
    : null;
  const bus = options.bus ?? new ReporterBus([]);
  bus.attach(options.reporters ?? []);
  const chores = new Chores(bus);
  mkdirSync(runDir, { recursive: true });
  const signal = options.signal ?? new AbortController().signal;
  const forked = { executor: options.executor, preload: preloadOf(plan), signal };
  const ctx: RunContext = {
    plan,
    runId,
    runDir,
    executor: options.executor,
    python: options.python,
    signal,
    record: new RunRecord(plan, runId, runDir, () => chores.quiet()),
    bus,
    cacheStep,
    blocked: blockers(plan),
    checks:
      options.checks ??
      defaultChecks(plan, runDir, (ref) => cacheStep.cachedOutput(ref), [
        modelCheck(plan, options.python, forked),
        ...(snapshots ? [snapshotCheck(snapshots)] : []),
      ]),
    snapshots,
    chores,
    ahead: new LayoutAhead(runDir, scripts),
  };
  return { ctx, scripts, priority };
}

/** Write the snapshots this run recorded (never in CI mode) and say so. */
function saveSnapshots(ctx: RunContext): void {
  const saved = ctx.snapshots?.save();
  if (saved?.written)
    ctx.bus.notice(
      "info",
      `recorded the snapshots of ${saved.recorded.length} node(s) in dagtest.snap.json: ${saved.recorded.join(", ")}`,
    );
}

/**
 * Start (or reach) the warm server now, while the run is still being set up, when some node will
 * fork from it; never when every node is cached (the cache lookup here is a quick guess, and a
 * wrong guess only costs an idle server).
 */
function warmUpEarly(ctx: RunContext, scripts: readonly ScriptNode[]): void {
  if (!ctx.executor.warmUp) return;
  const first = scripts.find((n) => n.limits.isolation === "fork" && !ctx.cacheStep.likelyRestored(n));
  if (!first) return;
  ctx.executor.warmUp({ python: ctx.python, env: expectedEnv(first), preload: preloadOf(ctx.plan) });
}

/** Every node that will not go through the scheduler: phantoms, and scripts left out by a selection. */
function recordNodesNotRun(ctx: RunContext, scripts: readonly ScriptNode[]): void {
  const running = new Set(scripts.map((n) => n.name));
  for (const node of ctx.plan.nodes) {
    if (node.kind === "phantom")
      ctx.record.add(notRun(node.name, "skipped", "phantom", `phantom (${node.reason}): ${node.detail}`));
    else if (!running.has(node.name))
      ctx.record.add(notRun(node.name, "skipped", "not-selected", "not selected by --only/--from/--to"));
  }
}

function skipNode(
  ctx: RunContext,
  name: string,
  why: "upstream-failed" | "cancelled",
  blamed: string | null,
): void {
  const result =
    why === "upstream-failed"
      ? notRun(name, "skipped", "upstream-failed", `skipped: upstream ${blamed} did not pass`)
      : notRun(
          name,
          "cancelled",
          "cancelled",
          ctx.signal.aborted
            ? "not started: the run was cancelled"
            : "not started: --fail-fast stopped the run",
        );
  discardLayout(ctx, name);
  ctx.record.add(result);
  ctx.bus.emit({ type: "nodeEnd", result });
}

/** A node whose lifecycle threw even while recording its own internal error: keep what we can. */
function crashedNode(ctx: RunContext, name: string, error: unknown): void {
  const result = internalErrorResult(name, "schedule", error);
  try {
    ctx.record.add(result);
  } catch {
    // The record cannot be written (the disk is full?): the event still tells the reporters.
  }
  ctx.bus.emit({ type: "nodeEnd", result });
}

/** Sortable and unique enough for one machine: `20261121-141502-3fa9`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/** The selected nodes and every ancestor whose outputs they need. */
function needed(plan: Plan, selected: ReadonlySet<string>): Set<string> {
  const adj = adjacency({
    nodes: plan.order,
    edges: plan.nodes.flatMap((n) => n.upstream.map((u) => [u, n.name] as const)),
    file: null,
    description: null,
  });
  const out = new Set(selected);
  for (const node of selected) for (const a of ancestors(node, adj)) out.add(a);
  return out;
}

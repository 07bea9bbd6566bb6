/**
 * `runPlan`: executes a plan without re-deriving it. Scripts run through an executor in
 * dependency order (the scheduler), each followed by the data-flow checks; events go to the
 * reporters; the run record is saved after every node.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fingerprintPlan } from "../cache/fingerprint.js";
import type { LocalCache } from "../cache/store.js";
import { DagtestError } from "../errors.js";
import { preloadOf } from "../exec/index.js";
import type { Executor } from "../exec/types.js";
import { adjacency, ancestors } from "../graph/topology.js";
import type { Reporter, RunEvent } from "../model/events.js";
import type { Plan, ScriptNode } from "../model/plan.js";
import type { RunResult, ScriptResult } from "../model/run.js";
import { type NodeVerdict, schedule } from "../scheduler/scheduler.js";
import { CacheStep } from "./cache-step.js";
import { classify, tailOf } from "./classify.js";
import { emptyOutputs, hashTree } from "./data-checks.js";
import { edgeChecks } from "./edges.js";
import { isScript, prepareJob, processEnv } from "./jobs.js";
import { runPriority } from "./priority.js";
import { blockers } from "./readiness.js";
import { RunRecord } from "./record.js";
import { notRun } from "./results.js";

export interface RunOptions {
  readonly executor: Executor;
  /** The folder that holds `.dagtest/` (the project root). */
  readonly stateDir: string;
  readonly python: string;
  readonly reporters?: readonly Reporter[];
  readonly concurrency?: number;
  readonly failFast?: boolean;
  readonly shuffleSeed?: number | null;
  readonly signal?: AbortSignal;
  readonly runId?: string;
  /** The content-addressed cache; null or absent runs everything. */
  readonly cache?: LocalCache | null;
  /** Nodes that run even when cached (`--force`). */
  readonly force?: readonly string[];
  /** `--only/--from/--to`: the nodes to run; null for all. */
  readonly selected?: ReadonlySet<string> | null;
  /** The command to suggest when a partial run lacks upstream outputs. */
  readonly command?: string;
}

export async function runPlan(plan: Plan, options: RunOptions): Promise<RunResult> {
  const global = plan.problems.filter((p) => p.severity === "error" && p.node === null);
  if (global.length > 0) {
    throw new DagtestError({
      code: "DAGTEST_PLAN_NOT_READY",
      message: `The plan has ${global.length} error(s) that stop every node: ${global.map((p) => p.message).join(" ")}`,
      hint: global[0]!.hint || "Run `dagtest plan` and fix the errors it lists.",
    });
  }
  const runId = options.runId ?? newRunId();
  const runDir = path.join(options.stateDir, ".dagtest", "runs", runId);
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
  const allScripts = plan.nodes.filter(isScript);
  const wanted = selected ? needed(plan, selected) : null;
  const scripts = allScripts.filter((n) => !wanted || wanted.has(n.name));
  // A partial run that lacks upstream outputs fails before it creates anything.
  if (selected)
    cacheStep.checkPartialRun(
      scripts.filter((n) => !selected.has(n.name)).map((n) => n.name),
      options.command ?? "dagtest run",
    );
  // From earlier runs only: read before this run's folder exists.
  const priority = runPriority(plan, options.stateDir);
  mkdirSync(runDir, { recursive: true });
  const record = new RunRecord(plan, runId, runDir);
  const emit = (event: RunEvent) => {
    for (const reporter of options.reporters ?? []) reporter.onEvent?.(event);
  };
  emit({ type: "runStart", plan, runId, runDir, total: scripts.length });
  for (const node of plan.nodes) {
    if (node.kind === "phantom") {
      record.add(notRun(node.name, "skipped", "phantom", `phantom (${node.reason}): ${node.detail}`));
    } else if (!scripts.includes(node)) {
      record.add(notRun(node.name, "skipped", "not-selected", "not selected by --only/--from/--to"));
    }
  }
  for (const check of edgeChecks(plan, runDir, null)) {
    record.flows.push(check);
    emit({ type: "edgeChecked", check });
  }
  record.save();
  const blocked = blockers(plan);
  const signal = options.signal ?? new AbortController().signal;
  const finish = (result: ScriptResult): void => {
    record.add(result);
    emit({ type: "nodeEnd", result });
  };
  const checkEdgesFrom = (producer: string): void => {
    for (const check of edgeChecks(plan, runDir, producer, (ref) => cacheStep.cachedOutput(ref))) {
      record.flows.push(check);
      emit({ type: "edgeChecked", check });
    }
  };
  const byName = new Map(scripts.map((n) => [n.name, n]));
  for (const node of scripts) emit({ type: "nodeQueued", node: node.name });
  const outcome = await schedule({
    order: plan.order.filter((n) => byName.has(n)),
    dependencies: new Map(scripts.map((n) => [n.name, n.upstream])),
    concurrency: Math.max(1, options.concurrency ?? 1),
    failFast: options.failFast ?? false,
    shuffleSeed: options.shuffleSeed ?? null,
    priority,
    signal,
    run: async (name, running): Promise<NodeVerdict> => {
      const node = byName.get(name)!;
      const why = blocked.get(name);
      if (why) {
        finish(notRun(name, "failed", "not-ready", why));
        return "failed";
      }
      const restored = cacheStep.tryRestore(node);
      if (restored.result) {
        finish(restored.result);
        checkEdgesFrom(name);
        return "ok";
      }
      const unrestorable = cacheStep.materializeInputsOf(node);
      if (unrestorable) {
        finish(notRun(name, "failed", "not-ready", unrestorable));
        return "failed";
      }
      record.started(name);
      emit({ type: "nodeStart", node: name, running });
      const result = {
        ...(await runNode(plan, node, runDir, options, signal)),
        ranBecause: restored.ranBecause,
      };
      cacheStep.store(node, result);
      finish(result);
      if (result.status === "passed") checkEdgesFrom(name);
      return result.status === "passed" ? "ok" : "failed";
    },
    skip: (name, why, blamed) => {
      if (why === "upstream-failed")
        finish(notRun(name, "skipped", "upstream-failed", `skipped: upstream ${blamed} did not pass`));
      else
        finish(
          notRun(
            name,
            "cancelled",
            "cancelled",
            signal.aborted
              ? "not started: the run was cancelled"
              : "not started: --fail-fast stopped the run",
          ),
        );
    },
  });
  record.interrupted = outcome.stopped;
  record.save();
  const result = record.result();
  emit({ type: "runEnd", result });
  for (const reporter of options.reporters ?? []) await reporter.close?.();
  return result;
}

async function runNode(
  plan: Plan,
  node: ScriptNode,
  runDir: string,
  options: RunOptions,
  signal: AbortSignal,
): Promise<ScriptResult> {
  const startedAt = new Date().toISOString();
  const { job, paths, dataInputs } = prepareJob(plan, node, runDir);
  writeFileSync(paths.jobFile, JSON.stringify(job, null, 2));
  const before = hashInputs(dataInputs);
  const exec = await options.executor.run({
    job,
    jobFile: paths.jobFile,
    python: options.python,
    env: processEnv(job, paths, plan.execution.freshWorkdir),
    timeoutMs: node.limits.timeoutMs,
    logs: { stdout: paths.stdout, stderr: paths.stderr },
    maxLogBytes: plan.execution.maxLogBytes,
    signal,
    isolation: node.limits.isolation,
    preload: preloadOf(plan),
  });
  let verdict = classify(exec, node.limits.timeoutMs, node.limits.memoryMb);
  const checks: string[] = [];
  const changed = Object.keys(before).filter((port) => hashTree(dataInputs[port]!) !== before[port]);
  if (changed.length > 0) {
    checks.push(`modified its input(s) ${changed.join(", ")}`);
    if (verdict.status === "passed") {
      verdict = {
        status: "failed",
        reason: "input-modified",
        message: `the script modified its input(s) ${changed.join(", ")} (inputs must be read-only)`,
      };
    }
  }
  if (verdict.status === "passed") {
    const empty = emptyOutputs(job.outputPaths);
    if (empty.length > 0) {
      checks.push(`wrote nothing to ${empty.join(", ")}`);
      verdict = {
        status: "failed",
        reason: "missing-output",
        message: `the script wrote nothing to its declared output(s) ${empty.join(", ")}`,
      };
    }
  }
  const failed = verdict.status !== "passed";
  return {
    node: node.name,
    status: verdict.status,
    reason: verdict.reason,
    message: verdict.message,
    startedAt,
    durationMs: exec.durationMs,
    peakRssKb: exec.outcome?.peakRssKb ?? null,
    exitCode: exec.exitCode,
    signal: exec.signal,
    logs: { stdout: paths.stdout, stderr: paths.stderr, droppedBytes: exec.droppedBytes },
    logTail: failed ? tailOf(paths.stderr) || tailOf(paths.stdout) || null : null,
    error: exec.outcome?.status === "failed" ? exec.outcome.error : null,
    outputs: job.outputPaths,
    guardEvents: exec.outcome?.guardEvents ?? [],
    checks,
    ranBecause: [],
    executor: exec.executor,
    scriptMs: exec.outcome?.durationMs ?? null,
  };
}

function hashInputs(inputs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [port, dir] of Object.entries(inputs)) out[port] = hashTree(dir);
  return out;
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

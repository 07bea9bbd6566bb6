/**
 * Which ready node to start first. With N workers and nodes of unequal length, starting them in
 * topological order can leave one worker running a long node alone at the end; starting the one
 * with the longest expected path to the end of the DAG first (critical-path list scheduling) avoids
 * most of that. Expected durations come from the latest earlier runs in `.dagtest/runs`; the first
 * run has none and keeps topological order.
 */
import { readRunRecord, runDirOf, runIdsNewestFirst } from "../model/layout.js";
import type { Plan, PlanNode } from "../model/plan.js";
import { maxOf } from "../util/arrays.js";

/** How many earlier run records to read, newest first, until every node has a duration. */
const RUNS_READ = 3;

/** Node → how long it took when it last passed, in ms, from the newest run records. */
export function pastDurations(stateDir: string, nodes: ReadonlySet<string>): Map<string, number> {
  const durations = new Map<string, number>();
  let read = 0;
  for (const run of runIdsNewestFirst(stateDir)) {
    if (read >= RUNS_READ || durations.size >= nodes.size) break;
    // Unfinished, unreadable or from another version: no history from it.
    const results = readRunRecord(runDirOf(stateDir, run))?.result.scriptResults;
    if (!results) continue;
    read++;
    for (const r of Object.values(results)) {
      if (r.status === "passed" && r.startedAt !== null && nodes.has(r.node) && !durations.has(r.node))
        durations.set(r.node, r.durationMs);
    }
  }
  return durations;
}

/**
 * Node → expected time from its start to the end of the longest path below it (its own duration
 * plus the longest of its script successors). Nodes without a past duration count as the median
 * of the known ones. Empty when nothing is known: the scheduler then keeps topological order.
 */
export function criticalPathPriority(
  plan: {
    readonly order: readonly string[];
    readonly nodes: readonly Pick<PlanNode, "kind" | "name" | "upstream">[];
  },
  durations: ReadonlyMap<string, number>,
): Map<string, number> {
  const priority = new Map<string, number>();
  if (durations.size === 0) return priority;
  const known = [...durations.values()].sort((a, b) => a - b);
  const typical = known[Math.floor(known.length / 2)] ?? 0;
  const scripts = new Set(plan.nodes.filter((n) => n.kind === "script").map((n) => n.name));
  const successors = new Map<string, string[]>();
  for (const node of plan.nodes) {
    for (const up of node.upstream) {
      if (!scripts.has(node.name)) continue;
      const list = successors.get(up);
      if (list) list.push(node.name);
      else successors.set(up, [node.name]);
    }
  }
  for (const name of [...plan.order].reverse()) {
    if (!scripts.has(name)) continue;
    const below = maxOf(
      (successors.get(name) ?? []).map((s) => priority.get(s) ?? 0),
      0,
    );
    priority.set(name, (durations.get(name) ?? typical) + below);
  }
  return priority;
}

/** The scheduler's priorities for a run of `plan` in `stateDir`. */
export function runPriority(plan: Plan, stateDir: string): Map<string, number> {
  const scripts = new Set(plan.nodes.filter((n) => n.kind === "script").map((n) => n.name));
  return criticalPathPriority(plan, pastDurations(stateDir, scripts));
}

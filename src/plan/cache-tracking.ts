/**
 * Which script nodes can be cached: a node is tracked when the static check read its script,
 * every config-given input names a path, and every script upstream of it is tracked. The cache
 * (src/cache/fingerprint.ts) never stores an untracked node, and the plan shows why.
 */
import type { CacheTracking, PlanNode, ScriptNode } from "../model/plan.js";

/** The tracking of every tracked node: one object, shared. */
const TRACKED: CacheTracking = Object.freeze({ tracked: true, reason: null });
const UNREAD: CacheTracking = Object.freeze({
  tracked: false,
  reason: "the static check could not read the script",
});

/**
 * The tracking of a script node built in topological order: `done` holds the nodes before it,
 * so an upstream node's tracking is already known.
 */
export function cacheTracking(
  node: Pick<ScriptNode, "check" | "inputs">,
  done: ReadonlyMap<string, PlanNode>,
): CacheTracking {
  if (!node.check) return UNREAD;
  for (const input of node.inputs) {
    const p = input.provision;
    if (p.kind === "config" && !p.value) {
      return {
        tracked: false,
        reason: `input ${input.name} comes from config field ${p.field}, which names no path`,
      };
    }
    if (p.kind !== "wire") continue;
    const producer = done.get(p.from.node);
    if (producer?.kind === "script" && !producer.cache.tracked) {
      return { tracked: false, reason: `upstream ${p.from.node} is not tracked (${producer.cache.reason})` };
    }
  }
  return TRACKED;
}

/**
 * Which script nodes can be cached: a node is tracked when the static check read its script,
 * every config-given input names a path, and every script upstream of it is tracked. The cache
 * (src/cache/fingerprint.ts) never stores an untracked node, and the plan shows why.
 */
import type { PlanNode, ScriptNode } from "../model/plan.js";

export function withCacheTracking(nodes: readonly PlanNode[]): PlanNode[] {
  const byName = new Map<string, PlanNode>();
  for (const node of nodes) {
    byName.set(node.name, node.kind === "script" ? { ...node, cache: tracking(node, byName) } : node);
  }
  return nodes.map((n) => byName.get(n.name)!);
}

function tracking(node: ScriptNode, done: ReadonlyMap<string, PlanNode>): ScriptNode["cache"] {
  if (!node.check) return { tracked: false, reason: "the static check could not read the script" };
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
  return { tracked: true, reason: null };
}

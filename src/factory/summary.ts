/** The factory's read-only views of a plan: each script's configuration state, and script resolution. */
import type { Plan, ScriptNode } from "../model/plan.js";
import type { ConfigurationState, FactorySummary, ScriptResolutionPreview, SkippedNode } from "./types.js";
import { fedByUser, missingFor } from "./views.js";

export interface DecisionSets {
  /** Scripts the user configured (in this session or in dagtest.yaml). */
  readonly configured: ReadonlySet<string>;
  readonly autoConfigured: ReadonlySet<string>;
}

export function stateOf(plan: Plan, node: ScriptNode, decisions: DecisionSets): ConfigurationState {
  const missing = missingFor(plan, node.name).length;
  const decided = decisions.configured.has(node.name) || fedByUser(plan, node);
  if (missing > 0) return decided ? "partial" : "pending";
  if (decided) return "complete";
  return decisions.autoConfigured.has(node.name) ? "auto-configured" : "auto-configurable";
}

export function summarise(
  plan: Plan,
  decisions: DecisionSets,
  skipped: readonly SkippedNode[],
): FactorySummary {
  const scripts = plan.nodes.filter((n): n is ScriptNode => n.kind === "script");
  const states: Record<string, ConfigurationState> = {};
  const counts: Record<ConfigurationState, number> = {
    pending: 0,
    partial: 0,
    "auto-configurable": 0,
    "auto-configured": 0,
    complete: 0,
  };
  for (const node of scripts) {
    const state = stateOf(plan, node, decisions);
    states[node.name] = state;
    counts[state]++;
  }
  const planErrors = plan.summary.errors;
  return {
    totalScripts: scripts.length,
    states,
    counts,
    pendingScripts: Object.keys(states).filter((n) => states[n] === "pending" || states[n] === "partial"),
    skippedNodes: skipped,
    planErrors,
    readyForTesting: counts.pending + counts.partial === 0 && planErrors === 0,
  };
}

/** Node → script path with a confidence: 1 for an exact rule, 0.8 for a unique search hit, 0.5 ambiguous, 0 phantom. */
export function previewResolution(plan: Plan): ScriptResolutionPreview[] {
  return plan.nodes.map((n) => {
    if (n.kind === "phantom") {
      return {
        node: n.name,
        scriptPath: null,
        rule: "phantom",
        confidence: 0,
        reason: `${n.reason}: ${n.detail}`,
      };
    }
    const ambiguous = plan.problems.some((p) => p.node === n.name && p.code === "DAGTEST_SCRIPT_AMBIGUOUS");
    const confidence = n.script.rule === "search-fallback" ? (ambiguous ? 0.5 : 0.8) : 1;
    return { node: n.name, scriptPath: n.script.path, rule: n.script.rule, confidence, reason: null };
  });
}

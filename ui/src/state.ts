/** What the client knows at a moment: the plan, the run's results as they come, live states, logs. */
import type { DataFlowResult, Plan, PlanNode, RunEvent, RunResult, RunView, ScriptResult } from "./api.js";

export type NodeState =
  | "phantom"
  | "not-ready"
  | "ready"
  | "queued"
  | "running"
  | "passed"
  | "failed"
  | "skipped"
  | "cached"
  | "cancelled";

export class ViewModel {
  plan: Plan;
  results = new Map<string, ScriptResult>();
  live = new Map<string, "queued" | "running">();
  edgeChecks = new Map<string, DataFlowResult[]>();
  logTails = new Map<string, string[]>();
  runResult: RunResult | null = null;
  runId: string | null = null;
  /** Why the next run will (not) run each script (server mode only). */
  outlook: Readonly<Record<string, string>> = {};

  constructor(plan: Plan) {
    this.plan = plan;
  }

  /** Show a whole run (a finished one, or a live one as far as it got). */
  loadRun(view: RunView | null): void {
    this.clearRun();
    if (!view) return;
    this.plan = view.plan;
    this.runResult = view.result;
    this.runId = view.result?.runId ?? null;
    for (const r of Object.values(view.result?.scriptResults ?? {})) this.results.set(r.node, r);
    for (const check of view.result?.dataFlowResults ?? []) this.addCheck(check);
    for (const [node, lines] of Object.entries(view.logTails)) this.logTails.set(node, [...lines]);
  }

  clearRun(): void {
    this.results.clear();
    this.live.clear();
    this.edgeChecks.clear();
    this.logTails.clear();
    this.runResult = null;
    this.runId = null;
  }

  /** Apply one live event; returns the node it changed, if one. */
  apply(event: RunEvent): string | null {
    switch (event.type) {
      case "runStart":
        this.clearRun();
        this.plan = event.plan;
        this.runId = event.runId;
        return null;
      case "nodeQueued":
        this.live.set(event.node, "queued");
        return event.node;
      case "nodeStart":
        this.live.set(event.node, "running");
        return event.node;
      case "nodeOutput": {
        const tail = [...(this.logTails.get(event.node) ?? []), ...event.lines];
        this.logTails.set(event.node, tail.slice(-40));
        return event.node;
      }
      case "nodeEnd":
        this.live.delete(event.result.node);
        this.results.set(event.result.node, event.result);
        return event.result.node;
      case "edgeChecked":
        this.addCheck(event.check);
        return event.check.to.node;
      case "runEnd":
        this.runResult = event.result;
        this.live.clear();
        return null;
      default:
        return null;
    }
  }

  addCheck(check: DataFlowResult): void {
    const key = edgeKey(check.from.node, check.to.node);
    this.edgeChecks.set(key, [...(this.edgeChecks.get(key) ?? []), check]);
  }

  node(name: string): PlanNode | undefined {
    return this.plan.nodes.find((n) => n.name === name);
  }

  stateOf(node: PlanNode): NodeState {
    const live = this.live.get(node.name);
    if (live) return live;
    const result = this.results.get(node.name);
    if (result && result.reason !== "phantom") return result.status;
    if (node.kind === "phantom") return "phantom";
    const blocked =
      this.plan.questions.some(
        (q) => q.node === node.name || q.consumers.some((c) => c.node === node.name),
      ) || this.plan.problems.some((p) => p.node === node.name && p.severity === "error");
    return blocked ? "not-ready" : "ready";
  }
}

export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/**
 * Stage 4, store: cache a node that ran (only if it passed and nothing it read was stale or
 * modified: see CacheStep.store), record its result in run.json, tell the reporters
 * (`nodeEnd`), then record and announce what flowed along its wires (`edgeChecked`).
 */
import type { ScriptNode } from "../../model/plan.js";
import type { DataFlowResult, ScriptResult } from "../../model/run.js";
import type { RunContext } from "../context.js";

export function store(
  ctx: Pick<RunContext, "record" | "bus" | "cacheStep">,
  result: ScriptResult,
  flows: readonly DataFlowResult[] = [],
  ran: ScriptNode | null = null,
): void {
  if (ran) ctx.cacheStep.store(ran, result);
  ctx.record.add(result);
  ctx.bus.emit({ type: "nodeEnd", result });
  recordFlows(ctx, flows);
}

export function recordFlows(ctx: Pick<RunContext, "record" | "bus">, flows: readonly DataFlowResult[]): void {
  for (const check of flows) {
    ctx.record.flows.push(check);
    ctx.bus.emit({ type: "edgeChecked", check });
  }
}

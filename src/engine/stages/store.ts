/**
 * Stage 4, store: cache a node that ran (only if it passed and nothing it read was stale or
 * modified: see CacheStep.store; the copy itself is a chore), record its result in run.json, tell the reporters
 * (`nodeEnd`), then record and announce what flowed along its wires (`edgeChecked`).
 */
import type { ScriptNode } from "../../model/plan.js";
import type { DataFlowResult, ScriptResult } from "../../model/run.js";
import { traceMark } from "../../util/trace-timings.js";
import type { RunContext } from "../context.js";

export function store(
  ctx: Pick<RunContext, "record" | "bus" | "cacheStep" | "chores">,
  result: ScriptResult,
  flows: readonly DataFlowResult[] = [],
  ran: ScriptNode | null = null,
): void {
  // Off the node's path (a chore, done before the run ends): hashing and copying its outputs
  // would otherwise delay the next node by a few ms each. Then, a turn later, its entry is
  // settled (its files stamped: the next run need not hash them).
  const put = ran ? ctx.cacheStep.store(ran, result, flows) : null;
  if (put && ran)
    ctx.chores.add(result.node, "storing its outputs in the cache", async () => {
      put();
      ctx.chores.add(result.node, "settling its cache entry", async () => ctx.cacheStep.settle(ran));
    });
  traceMark(result.node, "store:cached");
  ctx.record.add(result);
  traceMark(result.node, "store:recorded");
  ctx.bus.emit({ type: "nodeEnd", result });
  traceMark(result.node, "store:node-end-emitted");
  recordFlows(ctx, flows);
}

export function recordFlows(ctx: Pick<RunContext, "record" | "bus">, flows: readonly DataFlowResult[]): void {
  for (const check of flows) {
    ctx.record.flows.push(check);
    ctx.bus.emit({ type: "edgeChecked", check });
  }
}

/**
 * One script node, start to end: not run when the plan blocks it, restored when the cache (or
 * an earlier run, for a partial run) has its outputs, else through the four stages
 * prepare → execute → verify → store. Whatever throws on the way (a bug in dagtest, a custom
 * executor that throws) becomes the node's `internal-error` result, with its stack in run.json
 * and a `nodeEnd` event; the run goes on.
 */
import { nodePaths } from "../model/layout.js";
import type { ScriptNode } from "../model/plan.js";
import type { InternalError, ScriptResult } from "../model/run.js";
import type { NodeVerdict } from "../scheduler/scheduler.js";
import { traceMark } from "../util/trace-timings.js";
import { snapshotResult } from "./checks/snapshot.js";
import type { RunContext } from "./context.js";
import { edgeChecks } from "./edges.js";
import { dropPrivateViews, dropPrivateViewsLater, InputCopyError } from "./private-view.js";
import { notRun } from "./results.js";
import { execute } from "./stages/execute.js";
import { type PreparedNode, prepare } from "./stages/prepare.js";
import { store } from "./stages/store.js";
import { armChecks } from "./stages/verify.js";

type Stage = InternalError["stage"];

export async function runScriptNode(
  ctx: RunContext,
  node: ScriptNode,
  running: readonly string[],
): Promise<NodeVerdict> {
  const at: { stage: Stage } = { stage: "prepare" };
  try {
    return settledWithoutRunning(ctx, node) ?? (await throughStages(ctx, node, running, at));
  } catch (error) {
    if (error instanceof InputCopyError) {
      // The user's data, not a bug: the node cannot run, and says which input and why.
      dropPrivateViews(nodePaths(ctx.runDir, node.name).inputs);
      store(ctx, notRun(node.name, "failed", "not-ready", error.message), [], node);
    } else store(ctx, internalErrorResult(node.name, at.stage, error), [], node);
    return "failed";
  }
}

/** Blocked by the plan, restored, or its cached inputs lost: a verdict without running. */
function settledWithoutRunning(ctx: RunContext, node: ScriptNode): NodeVerdict | null {
  const why = ctx.blocked.get(node.name);
  if (why) {
    discardLayout(ctx, node.name);
    store(ctx, notRun(node.name, "failed", "not-ready", why));
    return "failed";
  }
  return null;
}

async function throughStages(
  ctx: RunContext,
  node: ScriptNode,
  running: readonly string[],
  at: { stage: Stage },
): Promise<NodeVerdict> {
  const restored = ctx.cacheStep.tryRestore(node);
  if (restored.result) {
    discardLayout(ctx, node.name);
    const flows = edgeChecks(ctx.plan, ctx.runDir, node.name, {
      elsewhere: (ref) => ctx.cacheStep.cachedOutput(ref),
      known: (ref) => ctx.cacheStep.cachedProfile(ref),
    });
    at.stage = "verify";
    const result = await withSnapshot(ctx, restored.result);
    at.stage = "store";
    store(ctx, result, flows);
    return verdictOf(result);
  }
  const unrestorable = ctx.cacheStep.materializeInputsOf(node);
  if (unrestorable) {
    discardLayout(ctx, node.name);
    store(ctx, notRun(node.name, "failed", "not-ready", unrestorable));
    return "failed";
  }
  ctx.record.started(node.name);
  traceMark(node.name, "engine:node-start");
  ctx.bus.emit({ type: "nodeStart", node: node.name, running });
  const prepared = await preparing(ctx, node);
  const verify = armChecks(ctx.checks, prepared);
  traceMark(node.name, "engine:checks-armed");
  at.stage = "execute";
  const executing = execute(ctx, prepared);
  ctx.ahead.layOutAfter(node.name, (next) => readyAfter(ctx, node.name, next));
  const exec = await executing;
  traceMark(node.name, "engine:executed");
  at.stage = "verify";
  const { result, flows } = await verify(exec);
  traceMark(node.name, "engine:verified");
  // The views are only lent while the node runs; a modified one is kept as evidence.
  if (result.reason !== "input-modified")
    ctx.chores.add(node.name, "removing its private input copies", () =>
      dropPrivateViewsLater(prepared.paths.inputs),
    );
  traceMark(node.name, "engine:views-dropped");
  at.stage = "store";
  store(ctx, { ...result, ranBecause: restored.ranBecause }, flows, node);
  traceMark(node.name, "engine:stored");
  return verdictOf(result);
}

/** Prepare the node, with the run's clean-ups held back meanwhile (see Chores). */
async function preparing(ctx: RunContext, node: ScriptNode): Promise<PreparedNode> {
  const done = ctx.chores.preparing();
  try {
    await ctx.ahead.ready(node.name);
    return prepare(ctx, node);
  } finally {
    done();
  }
}

/**
 * Whether `next` will start once `node` passes: every other upstream node is done, and nothing
 * else (the plan, the cache, a partial run) keeps it from running. A wrong guess costs only
 * folders made and removed again.
 */
function readyAfter(ctx: RunContext, node: string, next: ScriptNode): boolean {
  if (ctx.blocked.has(next.name) || ctx.cacheStep.likelyRestored(next)) return false;
  return next.upstream.every((up) => {
    if (up === node) return true;
    const done = ctx.record.results.get(up);
    return done?.status === "passed" || done?.status === "cached" || done?.reason === "phantom";
  });
}

/** The node will not run: what was laid out for it ahead is removed (before the run ends). */
export function discardLayout(ctx: Pick<RunContext, "ahead" | "chores">, node: string): void {
  ctx.chores.add(node, "removing the folders made for it ahead", () => ctx.ahead.discard(node));
}

/**
 * What the scheduler hears: a node whose outputs only differ from their snapshot still produced
 * them, so its descendants run and every node whose outputs moved is reported, not just the first.
 */
function verdictOf(result: ScriptResult): NodeVerdict {
  if (result.status === "passed" || result.status === "cached") return "ok";
  return result.reason === "snapshot-mismatch" || result.reason === "snapshot-missing" ? "ok" : "failed";
}

/** A node restored from the cache (or an earlier run) is compared with its snapshot too. */
async function withSnapshot(ctx: RunContext, result: ScriptResult): Promise<ScriptResult> {
  if (!ctx.snapshots) return result;
  const outcome = await ctx.snapshots.check(result.node, result.outputs);
  if (!outcome) return result;
  const found = snapshotResult(result.node, outcome);
  if (found.kind !== "snapshot" || !found.failure) return { ...result, snapshot: outcome };
  const { reason, message, details } = found.failure;
  return {
    ...result,
    status: "failed",
    reason,
    message,
    checks: [...result.checks, ...details],
    snapshot: outcome,
  };
}

/** The result of a node whose stages threw: failed, reason `internal-error`, the stack kept. */
export function internalErrorResult(node: string, stage: Stage, error: unknown): ScriptResult {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? null) : null;
  return {
    ...notRun(
      node,
      "failed",
      "internal-error",
      `internal error in dagtest while the node was in its ${stage} stage (please report it): ${message}`,
    ),
    startedAt: new Date().toISOString(),
    internalError: { stage, message, stack },
  };
}

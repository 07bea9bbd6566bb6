/**
 * Stage 2, execute: the executor's only job. Runs the prepared job (fork server, cold process,
 * or any other `Executor`), streams the script's output lines to the bus as `nodeOutput`
 * events while it runs, and reports what happened and where the outputs are.
 */
import { preloadOf } from "../../exec/index.js";
import type { ExecResult } from "../../exec/types.js";
import type { RunContext } from "../context.js";
import type { PreparedNode } from "./prepare.js";

export function execute(
  ctx: Pick<RunContext, "plan" | "executor" | "python" | "signal" | "bus">,
  prepared: PreparedNode,
): Promise<ExecResult> {
  const { node, job, paths } = prepared;
  return ctx.executor.run({
    job,
    jobFile: paths.jobFile,
    python: ctx.python,
    env: prepared.env,
    timeoutMs: node.limits.timeoutMs,
    logs: { stdout: paths.stdout, stderr: paths.stderr },
    maxLogBytes: ctx.plan.execution.maxLogBytes,
    signal: ctx.signal,
    isolation: node.limits.isolation,
    preload: preloadOf(ctx.plan),
    ...(node.limits.placement ? { placement: node.limits.placement } : {}),
    output: (stream, lines) => ctx.bus.emit({ type: "nodeOutput", node: node.name, stream, lines }),
  });
}

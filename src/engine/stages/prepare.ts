/**
 * Stage 1, prepare: lay out one node's job on disk (folders, inputs bound, fresh outputs, work
 * and temp dirs, env, job args, guards) and write job.json. What the executor needs, and
 * nothing it has to work out itself.
 */
import { writeFileSync } from "node:fs";
import type { NodePaths } from "../../model/layout.js";
import type { ScriptNode } from "../../model/plan.js";
import type { StepJob } from "../../model/protocol.js";
import { traceMark } from "../../util/trace-timings.js";
import type { RunContext } from "../context.js";
import { prepareJob, processEnv } from "../jobs.js";

export interface PreparedNode {
  readonly node: ScriptNode;
  readonly job: StepJob;
  readonly paths: NodePaths;
  /** Inputs holding real data (not empty placeholders or the code dir): checked for changes. */
  readonly dataInputs: Readonly<Record<string, string>>;
  /** The child's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly startedAt: string;
}

export function prepare(ctx: Pick<RunContext, "plan" | "runDir">, node: ScriptNode): PreparedNode {
  const startedAt = new Date().toISOString();
  const { job, paths, dataInputs } = prepareJob(ctx.plan, node, ctx.runDir);
  traceMark(node.name, "prepare:job-laid-out");
  writeFileSync(paths.jobFile, JSON.stringify(job, null, 2));
  traceMark(node.name, "prepare:job-written");
  const env = processEnv(job, paths, ctx.plan.execution.freshWorkdir);
  return { node, job, paths, dataInputs, env, startedAt };
}

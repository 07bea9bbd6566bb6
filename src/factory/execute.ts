/** Running a factory's plan with the default executor and the project's cache. */
import { LocalCache } from "../cache/store.js";
import type { Project } from "../config/project.js";
import { runPlan } from "../engine/run.js";
import { createExecutor } from "../exec/index.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import type { ExecuteOptions } from "./types.js";

export async function executePlan(project: Project, plan: Plan, options: ExecuteOptions): Promise<RunResult> {
  const executor = createExecutor();
  try {
    return await runPlan(plan, {
      executor,
      stateDir: project.baseDir,
      python: plan.sources.python.executable ?? project.python,
      concurrency: options.concurrency ?? 2,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.reporters ? { reporters: options.reporters } : {}),
      cache: project.execution.cache.enabled ? new LocalCache(project.baseDir) : null,
    });
  } finally {
    await executor.close();
  }
}

/** Running a factory's plan with the default executor and the project's cache. */
import { LocalCache } from "../cache/store.js";
import type { Project } from "../config/project.js";
import { runPlan } from "../engine/run.js";
import { createExecutor } from "../exec/index.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";

export async function executePlan(
  project: Project,
  plan: Plan,
  options: { concurrency?: number; signal?: AbortSignal },
): Promise<RunResult> {
  const executor = createExecutor();
  try {
    return await runPlan(plan, {
      executor,
      stateDir: project.baseDir,
      python: plan.sources.python.executable ?? project.python,
      concurrency: options.concurrency ?? 2,
      ...(options.signal ? { signal: options.signal } : {}),
      cache: project.execution.cache.enabled ? new LocalCache(project.baseDir) : null,
    });
  } finally {
    await executor.close();
  }
}

/** Running a factory's plan: a run session with the same defaults as `dagtest run`. */
import type { Project } from "../config/project.js";
import { createRunSession } from "../engine/session.js";
import { selectNodes } from "../graph/select.js";
import type { Reporter } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { HtmlReportReporter } from "../reporters/html-report.js";
import { prepareUserData } from "../sample/prepare.js";
import type { ExecuteOptions } from "./types.js";

export async function executePlan(project: Project, plan: Plan, options: ExecuteOptions): Promise<RunResult> {
  const prepared = prepareUserData(plan, {
    baseDir: project.baseDir,
    python: plan.sources.python.executable ?? project.python,
    sample: project.execution.sample ?? null,
    sampleSeed: project.execution.sample_seed,
  });
  const session = createRunSession({
    project,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    reporters: withReport(options.reporters ?? []),
  });
  try {
    const selected = options.selection ? selectNodes(project.dag, options.selection) : null;
    return await session.run(prepared, { ...(options.signal ? { signal: options.signal } : {}), selected });
  } finally {
    await session.close();
  }
}

/** As `dagtest run`: every run writes its report.html into the run folder, unless one is listed. */
function withReport(reporters: readonly Reporter[]): Reporter[] {
  return reporters.some((r) => r instanceof HtmlReportReporter)
    ? [...reporters]
    : [...reporters, new HtmlReportReporter()];
}

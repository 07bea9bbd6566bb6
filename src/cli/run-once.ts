/**
 * One `dagtest run`: load, plan, run with the cache and the chosen executor, report. Ctrl-C (or
 * SIGTERM) stops the run cleanly: running scripts are stopped, what finished is kept; a second
 * Ctrl-C quits at once (the exit hook still kills every script's process group).
 */
import { LocalCache } from "../cache/store.js";
import type { Project } from "../config/project.js";
import { runPlan } from "../engine/run.js";
import { createExecutor } from "../exec/index.js";
import type { Executor } from "../exec/types.js";
import { type Selection, selectNodes } from "../graph/select.js";
import type { Reporter } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { planProject } from "../plan/build.js";
import type { FactOptions } from "../plan/facts.js";
import { ConsoleReporter } from "../reporters/console.js";
import { JUnitReporter } from "../reporters/junit.js";
import { renderPlanIssues } from "../reporters/plan-text.js";
import { loadProject, type ProjectOptions } from "./commands/plan.js";
import type { CommandResult } from "./result.js";

export interface RunSettings {
  readonly target: string | undefined;
  readonly project: ProjectOptions;
  readonly concurrency: number;
  readonly failFast: boolean;
  readonly shuffleSeed: number | null;
  readonly json: boolean;
  readonly junit: string | null;
  readonly cache: boolean;
  readonly force: readonly string[];
  readonly selection: Selection;
  readonly command: string;
  /** `--cold`: a fresh interpreter per node instead of a fork of the warm server. */
  readonly cold: boolean;
}

export async function runOnce(settings: RunSettings): Promise<CommandResult> {
  const project = loadProject(settings.target, settings.project);
  const plan = await planProject(project, runFacts(project, settings.cache));
  const controller = new AbortController();
  const stopOnSignal = interruptHandler(controller);
  const executor = makeExecutor(settings);
  try {
    const result = await runProjectPlan(project, plan, settings, executor, controller.signal);
    const exitCode = controller.signal.aborted ? 130 : result.pipelineSuccess ? 0 : 1;
    return { stdout: settings.json ? `${JSON.stringify(result, null, 2)}\n` : "", exitCode };
  } finally {
    stopOnSignal();
    await executor.close();
  }
}

/**
 * Planning for a run: with the cache on, the static check of unchanged scripts is reused from
 * `.dagtest/cache` (it is most of an unchanged rerun's time); `--no-cache` checks afresh.
 */
export function runFacts(project: Project, cache: boolean): FactOptions {
  return { describeCache: cache && project.execution.cache.enabled ? project.baseDir : null };
}

/** Run an already planned project; shared by `runOnce` and watch mode. */
export async function runProjectPlan(
  project: Project,
  plan: Plan,
  settings: RunSettings,
  executor: Executor,
  signal: AbortSignal,
  extra: readonly Reporter[] = [],
): Promise<RunResult> {
  const out = settings.json ? process.stderr : process.stdout;
  if (plan.summary.errors > 0 || plan.questions.length > 0) out.write(renderPlanIssues(plan));
  const reporters: Reporter[] = [
    new ConsoleReporter({ stream: out, resumeCommand: settings.command }),
    ...extra,
  ];
  if (settings.junit) reporters.push(new JUnitReporter(settings.junit));
  const cacheOn = settings.cache && project.execution.cache.enabled;
  const cache = cacheOn ? new LocalCache(project.baseDir) : null;
  const result = await runPlan(plan, {
    executor,
    stateDir: project.baseDir,
    python: plan.sources.python.executable ?? project.python,
    reporters,
    concurrency: settings.concurrency,
    failFast: settings.failFast,
    shuffleSeed: settings.shuffleSeed,
    signal,
    cache,
    force: settings.force,
    selected: selectNodes(project.dag, settings.selection),
    command: settings.command,
  });
  cache?.evict(project.execution.cache.max_mb * 1024 * 1024);
  return result;
}

/** Warm (fork server) unless `--cold`; the warm executor's notices (fallbacks) go to stderr. */
export function makeExecutor(options: { readonly cold?: boolean } = {}): Executor {
  return createExecutor({
    cold: options.cold ?? false,
    onNotice: (message) => process.stderr.write(`[dagtest] ${message}\n`),
  });
}

/** First Ctrl-C/SIGTERM aborts the run; a second quits at once. Returns the uninstaller. */
export function interruptHandler(controller: AbortController): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\n[dagtest] stopping: Ctrl-C again to quit at once\n");
      controller.abort();
    } else process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/**
 * One `dagtest run`: load, plan, run with the cache and the chosen executor, report. Ctrl-C (or
 * SIGTERM) stops the run cleanly: running scripts are stopped, what finished is kept; a second
 * Ctrl-C quits at once (the exit hook still kills every script's process group).
 */
import type { Project } from "../config/project.js";
import { createRunSession, type RunSession } from "../engine/session.js";
import { type Selection, selectNodes } from "../graph/select.js";
import type { Reporter } from "../model/events.js";
import type { ExecutorName, Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import type { SnapshotRunMode } from "../model/snapshot.js";
import { planProject } from "../plan/build.js";
import { rememberedFacts } from "../plan/facts.js";
import { ConsoleReporter } from "../reporters/console.js";
import { HtmlReportReporter } from "../reporters/html-report.js";
import { JUnitReporter } from "../reporters/junit.js";
import { NoticeReporter } from "../reporters/notice.js";
import { renderPlanIssues } from "../reporters/plan-text.js";
import { prepareUserData } from "../sample/prepare.js";
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
  /** `--report FILE`: report.html also written there (it always goes into the run folder). */
  readonly report: string | null;
  readonly cache: boolean;
  readonly force: readonly string[];
  readonly selection: Selection;
  readonly command: string;
  /** `--cold`: a fresh interpreter per node instead of a fork of the warm server. */
  readonly cold: boolean;
  /** `--update-snapshots`, `--ci` (or CI=true). */
  readonly snapshotMode: SnapshotRunMode;
  /** `--executor local|ray` (default: `run.executor`). */
  readonly executor?: ExecutorName;
  /** `--ray-address` (default: `run.ray.address`, then RAY_ADDRESS). */
  readonly rayAddress?: string;
  /** `--sample N`: rows per user-supplied dataset (else `run.sample`); null for none. */
  readonly sample?: number | null;
}

export async function runOnce(settings: RunSettings): Promise<CommandResult> {
  const project = await loadProject(settings.target, settings.project);
  const plan = await planProject(project, rememberedFacts(project, settings.cache));
  const controller = new AbortController();
  const stopOnSignal = interruptHandler(controller);
  const session = cliSession(project, settings);
  try {
    const result = await runProjectPlan(project, plan, settings, session, controller.signal);
    return {
      stdout: settings.json ? `${JSON.stringify(result, null, 2)}\n` : "",
      exitCode: exitCodeOf(result, controller.signal),
    };
  } finally {
    stopOnSignal();
    await session.close();
  }
}

/**
 * 130 after Ctrl-C; 70 when dagtest itself failed on a node (an `internal-error`: the run went
 * on, but it is a bug to report); else 0 when every script passed, 1 when one did not.
 */
export function exitCodeOf(result: RunResult, signal: AbortSignal): number {
  if (signal.aborted) return 130;
  if (Object.values(result.scriptResults).some((r) => r.reason === "internal-error")) return 70;
  return result.pipelineSuccess ? 0 : 1;
}

/** The CLI's run session: warm unless `--cold`, the cache unless `--no-cache`, notices on stderr. */
export function cliSession(project: Project, settings: RunSettings): RunSession {
  return createRunSession({
    project,
    cold: settings.cold,
    ...(settings.executor ? { executorName: settings.executor } : {}),
    ...(settings.rayAddress ? { rayAddress: settings.rayAddress } : {}),
    keepWarm: true,
    cache: settings.cache,
    concurrency: settings.concurrency,
    reporters: [new NoticeReporter(process.stderr)],
  });
}

/** Run an already planned project; shared by `runOnce` and watch mode. */
export async function runProjectPlan(
  project: Project,
  plan: Plan,
  settings: RunSettings,
  session: RunSession,
  signal: AbortSignal,
  extra: readonly Reporter[] = [],
): Promise<RunResult> {
  const out = settings.json ? process.stderr : process.stdout;
  if (plan.summary.errors > 0 || plan.questions.length > 0) out.write(renderPlanIssues(plan));
  const reporters: Reporter[] = [
    new ConsoleReporter({ stream: out, resumeCommand: settings.command, cacheEnabled: settings.cache }),
    new HtmlReportReporter(settings.report ? [settings.report] : []),
    ...extra,
  ];
  if (settings.junit) reporters.push(new JUnitReporter(settings.junit));
  const prepared = prepareUserData(plan, {
    baseDir: project.baseDir,
    python: plan.sources.python.executable ?? project.python,
    sample: settings.sample ?? project.execution.sample ?? null,
    sampleSeed: project.execution.sample_seed,
  });
  out.write(userDataNotes(prepared));
  return session.run(prepared, {
    project,
    reporters,
    failFast: settings.failFast,
    shuffleSeed: settings.shuffleSeed,
    signal,
    force: settings.force,
    selected: selectNodes(project.dag, settings.selection),
    command: settings.command,
    snapshotMode: settings.snapshotMode,
  });
}

/** One line per synthesized phantom and for the sampling, before the run's progress. */
function userDataNotes(plan: Plan): string {
  const lines: string[] = [];
  for (const node of plan.nodes) {
    if (node.kind !== "phantom" || !node.synthetic) continue;
    const r = node.synthetic.recipe;
    lines.push(
      `[dagtest] synthetic data for ${node.name} (${node.synthetic.ports.join(", ")}): ${r.rows} rows, ${r.columns.length} columns, ${r.format}, seed ${r.seed}`,
    );
  }
  const s = plan.sampling;
  if (s)
    lines.push(
      `[dagtest] sampled ${s.datasets.length} user dataset(s) to ${s.rows} rows (seed ${s.seed}); your files are unchanged`,
    );
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
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

/**
 * What the browser UI and report.html draw: the plan, a run's result (whole, or as far as it
 * got), and the last lines each node printed. The same shape is embedded in report.html and
 * served by `dagtest ui`, so one client draws both.
 */
import type { Plan } from "./plan.js";
import type { RunResult } from "./run.js";

export const VIEW_VERSION = 1;

/** The last lines a node printed, per node (stdout and stderr interleaved, in order). */
export type LogTails = Readonly<Record<string, readonly string[]>>;

/** How many lines of each node's output a view keeps. */
export const LOG_TAIL_LINES = 40;

export interface RunView {
  readonly viewVersion: typeof VIEW_VERSION;
  readonly plan: Plan;
  readonly result: RunResult | null;
  readonly logTails: LogTails;
}

/** What report.html embeds: a finished run, drawn without a server. */
export interface ReportData extends RunView {
  readonly mode: "report";
  readonly generatedAt: string;
}

/** Keep the last `LOG_TAIL_LINES` lines of `lines` appended to `tail`. */
export function appendTail(tail: readonly string[], lines: readonly string[]): string[] {
  const all = [...tail, ...lines];
  return all.length > LOG_TAIL_LINES ? all.slice(all.length - LOG_TAIL_LINES) : all;
}

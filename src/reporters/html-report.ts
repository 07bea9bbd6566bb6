/**
 * report.html: the run as one self-contained page (the UI's client, the plan, every node's
 * result, error frames, log tails, data-flow profiles, the timeline), written into the run
 * folder when the run ends, and to `--report FILE` too. What a CI job archives next to JUnit.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, RunEvent } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { appendTail, type LogTails, type ReportData, VIEW_VERSION } from "../model/view.js";
import { renderPage } from "./html-page.js";

export const REPORT_FILE = "report.html";

export class HtmlReportReporter implements Reporter {
  readonly #extra: readonly string[];
  #plan: Plan | null = null;
  #runDir: string | null = null;
  readonly #tails = new Map<string, string[]>();
  /** Files written by the last run: the run folder's report.html, then the extra ones. */
  written: string[] = [];

  /** `extra`: more files to write the same report to (`--report FILE`). */
  constructor(extra: readonly string[] = []) {
    this.#extra = extra;
  }

  onEvent(event: RunEvent): void {
    if (event.type === "runStart") {
      this.#plan = event.plan;
      this.#runDir = event.runDir;
      this.#tails.clear();
    } else if (event.type === "nodeOutput") {
      this.#tails.set(event.node, appendTail(this.#tails.get(event.node) ?? [], event.lines));
    } else if (event.type === "runEnd" && this.#plan) {
      this.#write(event.result, this.#plan);
    }
  }

  #write(result: RunResult, plan: Plan): void {
    const html = renderPage(
      `dagtest run ${result.runId}`,
      reportData(plan, result, Object.fromEntries(this.#tails)),
    );
    const files = [...(this.#runDir ? [path.join(this.#runDir, REPORT_FILE)] : []), ...this.#extra];
    for (const file of files) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, html);
    }
    this.written = files;
  }
}

export function reportData(plan: Plan, result: RunResult, logTails: LogTails): ReportData {
  return {
    viewVersion: VIEW_VERSION,
    mode: "report",
    generatedAt: new Date().toISOString(),
    plan,
    result,
    logTails,
  };
}

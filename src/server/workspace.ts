/**
 * What `dagtest ui` serves: one project, seen through the factory (plan, validation, saving
 * dagtest.yaml) and run through the factory's run session, with the UI's reporter on the bus.
 * Reads only the project's own state: run records under `.dagtest/runs`, by id.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { DagtestError } from "../errors.js";
import { createTestingFactory, type FactoryOptions } from "../factory/create.js";
import type { TestingFactory } from "../factory/factory.js";
import type { ScriptConfiguration } from "../factory/types.js";
import { nodePaths, readRunRecord, runDirOf, runIdsNewestFirst } from "../model/layout.js";
import type { RunResult } from "../model/run.js";
import { LOG_TAIL_LINES, type RunView, VIEW_VERSION } from "../model/view.js";
import { HtmlReportReporter } from "../reporters/html-report.js";
import type { RunListEntry, RunRequest, UiState, ValidateResponse } from "./api-types.js";
import { LiveReporter } from "./live.js";
import { cacheOutlook } from "./outlook.js";

export class Workspace {
  readonly live = new LiveReporter();
  #factory: TestingFactory;
  #run: { controller: AbortController; done: Promise<RunResult | null> } | null = null;

  private constructor(
    factory: TestingFactory,
    private readonly options: FactoryOptions,
  ) {
    this.#factory = factory;
  }

  static async open(options: FactoryOptions): Promise<Workspace> {
    return new Workspace(await createTestingFactory(options), options);
  }

  /** The folder holding dagtest.yaml and `.dagtest/`: the only place the API reads. */
  get projectDir(): string {
    return this.options.project ?? process.cwd();
  }

  get running(): boolean {
    return this.#run !== null;
  }

  state(): UiState {
    const view = this.live.view() ?? this.runView(runIdsNewestFirst(this.projectDir)[0] ?? "");
    const plan = this.#factory.plan;
    const cacheOn = this.#factory.project.execution.cache.enabled;
    return {
      mode: "server",
      plan,
      specFile: this.#factory.specFile,
      run: view,
      running: this.running,
      outlook: cacheOutlook(plan, this.projectDir, cacheOn),
    };
  }

  validate(node: string, config: ScriptConfiguration): ValidateResponse {
    const issues = this.#factory.validateScriptConfiguration(node, config);
    return { issues: issues.map((i) => ({ field: i.field, message: i.message, hint: i.hint })) };
  }

  /** Validate, apply and save to dagtest.yaml (comments and order kept); throws with every issue. */
  configure(node: string, config: ScriptConfiguration): UiState {
    this.#factory.configureScriptTesting(node, config);
    this.#factory.save();
    return this.state();
  }

  /** Start a run in the background (the page follows it through the events). */
  async startRun(selection: RunRequest): Promise<void> {
    if (this.#run) {
      throw new DagtestError({
        code: "DAGTEST_USAGE",
        message: "A run is already going on.",
        hint: "Stop it first, or wait for it to end.",
      });
    }
    // A fresh factory: edits made to scripts or dagtest.yaml since the page opened are seen.
    const factory = await createTestingFactory(this.options);
    const unknown = [...(selection.only ?? []), ...(selection.from ?? []), ...(selection.to ?? [])].filter(
      (n) => !factory.plan.order.includes(n),
    );
    if (unknown.length) {
      throw new DagtestError({
        code: "DAGTEST_UNKNOWN_NODE",
        message: `Not a node of this pipeline: ${unknown.join(", ")}.`,
        hint: `Nodes: ${factory.plan.order.join(", ")}.`,
      });
    }
    const compiled = factory.compileDagToScriptExecution();
    this.#factory = factory;
    const controller = new AbortController();
    const done = compiled
      .execute({ reporters: [this.live, new HtmlReportReporter()], signal: controller.signal, selection })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.live.onEvent({ type: "notice", level: "error", message, node: null });
        return null;
      })
      .finally(() => {
        this.#run = null;
      });
    this.#run = { controller, done };
  }

  stop(): boolean {
    this.#run?.controller.abort();
    return this.#run !== null;
  }

  /** Wait for the run going on (tests, and the server's shutdown). */
  async settled(): Promise<void> {
    await this.#run?.done;
  }

  runs(): RunListEntry[] {
    return runIdsNewestFirst(this.projectDir).flatMap((runId) => {
      const record = readRunRecord(runDirOf(this.projectDir, runId));
      if (!record) return [];
      const r = record.result;
      return [
        {
          runId,
          startedAt: r.startedAt,
          durationMs: r.durationMs,
          pipelineSuccess: r.pipelineSuccess,
          interrupted: r.interrupted,
          summary: r.summary,
        },
      ];
    });
  }

  /** A run by id: only an id listed under `.dagtest/runs` is read (no path is taken from the request). */
  runView(runId: string): RunView | null {
    if (!runIdsNewestFirst(this.projectDir).includes(runId)) return null;
    const dir = runDirOf(this.projectDir, runId);
    const record = readRunRecord(dir);
    if (!record) return null;
    const logTails = Object.fromEntries(
      Object.keys(record.result.scriptResults).map((node) => [node, logTail(nodePaths(dir, node))]),
    );
    return { viewVersion: VIEW_VERSION, plan: record.plan, result: record.result, logTails };
  }
}

function logTail(paths: { stdout: string; stderr: string }): string[] {
  const lines = [...tailLines(paths.stdout), ...tailLines(paths.stderr)];
  return lines.slice(-LOG_TAIL_LINES);
}

function tailLines(file: string): string[] {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString("utf8").split("\n").filter(Boolean).slice(-LOG_TAIL_LINES);
  } catch {
    return [];
  }
}

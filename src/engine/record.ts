/**
 * The run record, `run.json`: the plan and every result so far, rewritten atomically after each
 * node, so a killed run loses nothing that finished.
 */
import { renameSync, writeFileSync } from "node:fs";
import { runRecordFile } from "../model/layout.js";
import type { Plan } from "../model/plan.js";
import { type DataFlowResult, RUN_RECORD_VERSION, type RunResult, type ScriptResult } from "../model/run.js";
import { notRun } from "./results.js";

export class RunRecord {
  readonly runId: string;
  readonly runDir: string;
  readonly startedAt = new Date();
  readonly #plan: Plan;
  readonly results = new Map<string, ScriptResult>();
  readonly flows: DataFlowResult[] = [];
  readonly executionOrder: string[] = [];
  readonly errors: string[] = [];
  #started = performance.now();
  /** The plan as run.json holds it, serialized once: it does not change during a run. */
  #planText: string | null = null;
  interrupted = false;

  /** Set while the run is open: if dagtest quits mid-run (a second Ctrl-C), the record stays true. */
  readonly #onExit = () => this.#quitMidRun();

  constructor(plan: Plan, runId: string, runDir: string) {
    this.#plan = plan;
    this.runId = runId;
    this.runDir = runDir;
    process.on("exit", this.#onExit);
  }

  /** The run ended normally: no exit-time rewrite needed any more. */
  close(): void {
    process.off("exit", this.#onExit);
  }

  /**
   * dagtest is exiting before the run ended (a second Ctrl-C quits at once): the record says
   * so, and every node that had started and has no result yet is `cancelled`. Synchronous, as
   * everything in an exit handler must be.
   */
  #quitMidRun(): void {
    this.interrupted = true;
    for (const node of this.executionOrder) {
      if (!this.results.has(node))
        this.results.set(
          node,
          notRun(node, "cancelled", "cancelled", "cancelled: dagtest quit while it ran"),
        );
    }
    try {
      this.save();
    } catch {
      // Exiting: nothing left to tell; the last save before this one stays on disk.
    }
  }

  started(node: string): void {
    this.executionOrder.push(node);
  }

  add(result: ScriptResult): void {
    this.results.set(result.node, result);
    if (result.status === "failed") this.errors.push(`${result.node}: ${result.message}`);
    // Saved when a script really ran: phantoms, skips and cache hits cost nothing to redo, and
    // the record is saved once more when the run ends (and once before the first node starts).
    if (result.startedAt !== null) this.save();
  }

  result(): RunResult {
    const all = [...this.results.values()];
    const count = (status: ScriptResult["status"]) => all.filter((r) => r.status === status).length;
    const ordered: Record<string, ScriptResult> = {};
    for (const name of this.#plan.order) {
      const r = this.results.get(name);
      if (r) ordered[name] = r;
    }
    const failed = count("failed");
    const cancelled = count("cancelled");
    return {
      runRecordVersion: RUN_RECORD_VERSION,
      runId: this.runId,
      runDir: this.runDir,
      startedAt: this.startedAt.toISOString(),
      durationMs: performance.now() - this.#started,
      pipelineSuccess:
        failed === 0 && cancelled === 0 && !this.interrupted && count("passed") + count("cached") > 0,
      interrupted: this.interrupted,
      executionOrder: [...this.executionOrder],
      scriptResults: ordered,
      dataFlowResults: [...this.flows],
      errors: [...this.errors],
      summary: {
        total: all.length,
        passed: count("passed"),
        failed,
        skipped: count("skipped"),
        cached: count("cached"),
        cancelled,
      },
    };
  }

  /**
   * Atomic: a reader never sees half a file, a crash never leaves one. The text is
   * `JSON.stringify({plan, result}, null, 2)`, with the plan's part serialized only once.
   */
  save(): void {
    this.#planText ??= nested(JSON.stringify(this.#plan, null, 2));
    const text = `{\n  "plan": ${this.#planText},\n  "result": ${nested(JSON.stringify(this.result(), null, 2))}\n}`;
    const file = runRecordFile(this.runDir);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
}

/** A value's indented JSON as it reads one level down (JSON strings hold no raw newline). */
function nested(json: string): string {
  return json.replaceAll("\n", "\n  ");
}

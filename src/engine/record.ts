/**
 * The run record, `run.json`: the plan and every result so far, rewritten atomically after each
 * node, so a killed run loses nothing that finished. The rewrite after a node is written in the
 * background (a node's end does not wait for the disk; results that end meanwhile go into the
 * next write); the first and the last are written at once, and so is the record of a dagtest
 * that quits mid-run.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
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
  /** The background write in flight, if any; `#again`: results came in since it started. */
  #writing: Promise<void> | null = null;
  #again = false;
  #writingTo: string | null = null;
  /** Counts the texts made: a background write whose text is no longer the newest is dropped. */
  #generation = 0;
  interrupted = false;

  /** Set while the run is open: if dagtest quits mid-run (a second Ctrl-C), the record stays true. */
  readonly #onExit = () => this.#quitMidRun();

  /** What a background write waits for first (the run's: no node being prepared). */
  readonly #quiet: () => Promise<void>;

  constructor(plan: Plan, runId: string, runDir: string, quiet: () => Promise<void> = async () => {}) {
    this.#plan = plan;
    this.runId = runId;
    this.runDir = runDir;
    this.#quiet = quiet;
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
      if (this.#writingTo) rmSync(this.#writingTo, { force: true }); // a background write cut short
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
    if (result.startedAt !== null) this.saveSoon();
  }

  /** Rewrite run.json in the background (see the module doc). */
  saveSoon(): void {
    if (this.#writing) {
      this.#again = true;
      return;
    }
    this.#writing = this.#writeInBackground().finally(() => {
      this.#writing = null;
    });
  }

  /** Wait for the background writes (then `save` writes the last record). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeInBackground(): Promise<void> {
    // Made after what is waiting now (the next node's start, its preparation): the text is the
    // newest then too, and the next node's own file-system calls go first.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#quiet();
    do {
      this.#again = false;
      const generation = ++this.#generation;
      const file = runRecordFile(this.runDir);
      const tmp = `${file}.${generation}.tmp`;
      this.#writingTo = tmp;
      try {
        await writeFile(tmp, this.#text());
        // Renamed here, on the main thread: never in between a `save` and its rename. A text
        // older than the last one made (by `save`) is dropped.
        if (generation === this.#generation) renameSync(tmp, file);
        else rmSync(tmp, { force: true });
      } catch {
        rmSync(tmp, { force: true });
        // The disk refused: the last record stays; the next write (the last one at the latest) tells.
      }
      this.#writingTo = null;
    } while (this.#again);
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
    ++this.#generation;
    const file = runRecordFile(this.runDir);
    writeFileSync(`${file}.tmp`, this.#text());
    renameSync(`${file}.tmp`, file);
  }

  #text(): string {
    this.#planText ??= nested(JSON.stringify(this.#plan, null, 2));
    return `{\n  "plan": ${this.#planText},\n  "result": ${nested(JSON.stringify(this.result(), null, 2))}\n}`;
  }
}

/** A value's indented JSON as it reads one level down (JSON strings hold no raw newline). */
function nested(json: string): string {
  return json.replaceAll("\n", "\n  ");
}

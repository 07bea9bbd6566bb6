/**
 * The UI as one more reporter on the run's bus: it keeps the run going on (results and log tails
 * as they come) for a page that opens mid-run, and fans every event out to the open event streams.
 */
import type { Reporter, RunEvent } from "../model/events.js";
import type { Plan } from "../model/plan.js";
import type { RunResult, ScriptResult } from "../model/run.js";
import { appendTail, type RunView, VIEW_VERSION } from "../model/view.js";

export type Listener = (event: RunEvent) => void;

export class LiveReporter implements Reporter {
  readonly #listeners = new Set<Listener>();
  #plan: Plan | null = null;
  #runId = "";
  #results = new Map<string, ScriptResult>();
  #tails = new Map<string, string[]>();
  #final: RunResult | null = null;

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  onEvent(event: RunEvent): void {
    this.#remember(event);
    for (const listener of this.#listeners) listener(event);
  }

  #remember(event: RunEvent): void {
    if (event.type === "runStart") {
      this.#plan = event.plan;
      this.#runId = event.runId;
      this.#results = new Map();
      this.#tails = new Map();
      this.#final = null;
    } else if (event.type === "nodeEnd") this.#results.set(event.result.node, event.result);
    else if (event.type === "nodeOutput")
      this.#tails.set(event.node, appendTail(this.#tails.get(event.node) ?? [], event.lines));
    else if (event.type === "runEnd") this.#final = event.result;
  }

  /** The current (or last) run as a view; null before the first run of this server. */
  view(): RunView | null {
    if (!this.#plan) return null;
    return {
      viewVersion: VIEW_VERSION,
      plan: this.#plan,
      result: this.#final ?? partialResult(this.#runId, this.#results),
      logTails: Object.fromEntries(this.#tails),
    };
  }
}

/** A result as far as a running run got: its finished nodes, counted. */
function partialResult(runId: string, results: ReadonlyMap<string, ScriptResult>): RunResult {
  const all = [...results.values()];
  const count = (status: ScriptResult["status"]) => all.filter((r) => r.status === status).length;
  return {
    runRecordVersion: 1,
    runId,
    runDir: "",
    startedAt: "",
    durationMs: 0,
    pipelineSuccess: false,
    interrupted: false,
    executionOrder: all.map((r) => r.node),
    scriptResults: Object.fromEntries(results),
    dataFlowResults: [],
    errors: [],
    summary: {
      total: all.length,
      passed: count("passed"),
      failed: count("failed"),
      skipped: count("skipped"),
      cached: count("cached"),
      cancelled: count("cancelled"),
    },
  };
}

/**
 * What every stage of a run sees: the plan, where the run lives, the record, the bus, the cache
 * step and the options. Built once per run by `runPlan` (run.ts); stages read it, only the
 * record, the bus and the cache step change.
 */
import type { Executor } from "../exec/types.js";
import type { Plan } from "../model/plan.js";
import type { ReporterBus } from "./bus.js";
import type { CacheStep } from "./cache-step.js";
import type { Chores } from "./chores.js";
import type { LayoutAhead } from "./layout-ahead.js";
import type { RunRecord } from "./record.js";
import type { SnapshotBook } from "./snapshots.js";
import type { NodeCheck } from "./stages/verify.js";

export interface RunContext {
  readonly plan: Plan;
  readonly runId: string;
  readonly runDir: string;
  readonly executor: Executor;
  /** The interpreter that runs the runner and the scripts. */
  readonly python: string;
  readonly signal: AbortSignal;
  readonly record: RunRecord;
  readonly bus: ReporterBus;
  readonly cacheStep: CacheStep;
  /** Node → why it cannot run (plan errors, open questions). */
  readonly blocked: ReadonlyMap<string, string>;
  /** What `verify` runs after each executed node, in order. */
  readonly checks: readonly NodeCheck[];
  /** This run's snapshots (also checked on nodes restored from the cache); null when off. */
  readonly snapshots: SnapshotBook | null;
  /** Clean-ups left to finish before the run ends (a node's private input copies). */
  readonly chores: Chores;
  /** The folders of the nodes about to run, made while the node before them runs. */
  readonly ahead: LayoutAhead;
}

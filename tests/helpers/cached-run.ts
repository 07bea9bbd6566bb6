/**
 * Runs as `dagtest run` makes them (plan afresh, run with the project's cache, the CLI's
 * --only/--from/--to/--force/--no-cache), through the cold executor, and ways to read the result.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { LocalCache } from "../../src/cache/store.js";
import { loadSpecProject } from "../../src/config/project.js";
import { runPlan } from "../../src/engine/run.js";
import type { Executor } from "../../src/exec/types.js";
import { selectNodes } from "../../src/graph/select.js";
import type { Plan } from "../../src/model/plan.js";
import type { NodeStatus, RunResult } from "../../src/model/run.js";
import { planProject } from "../../src/plan/build.js";
import { listFiles } from "../../src/util/files.js";
import { testPython } from "./paths.js";

export interface CachedRunOptions {
  readonly only?: readonly string[];
  readonly from?: readonly string[];
  readonly to?: readonly string[];
  readonly force?: readonly string[];
  /** false: `--no-cache`. */
  readonly cache?: boolean;
  readonly signal?: AbortSignal;
  readonly onStart?: (node: string) => void;
}

export interface PlannedProject {
  readonly plan: Plan;
  readonly select: (o: CachedRunOptions) => Set<string> | null;
}

export async function planOf(dir: string): Promise<PlannedProject> {
  const project = loadSpecProject(path.join(dir, "dagtest.yaml"), { python: testPython() });
  const plan = await planProject(project);
  return { plan, select: (o) => selectNodes(project.dag, { only: o.only, from: o.from, to: o.to }) };
}

/** What `dagtest run` does with the project in `dir`. */
export async function cachedRun(
  executor: Executor,
  dir: string,
  o: CachedRunOptions = {},
): Promise<RunResult> {
  const { plan, select } = await planOf(dir);
  return runPlan(plan, {
    executor,
    stateDir: dir,
    python: testPython(),
    concurrency: 2,
    cache: o.cache === false ? null : new LocalCache(dir),
    force: o.force ?? [],
    selected: select(o),
    command: "dagtest run",
    ...(o.signal ? { signal: o.signal } : {}),
    reporters: [{ onEvent: (e) => (e.type === "nodeStart" ? o.onStart?.(e.node) : undefined) }],
  });
}

/** The script nodes with this status, sorted. */
export function having(r: RunResult, status: NodeStatus): string[] {
  return Object.values(r.scriptResults)
    .filter((x) => x.status === status && x.reason !== "phantom")
    .map((x) => x.node)
    .sort();
}

export function statusOf(r: RunResult, node: string): NodeStatus | undefined {
  return r.scriptResults[node]?.status;
}

/** Why the node ran (what changed), as one string. */
export function why(r: RunResult, node: string): string {
  return r.scriptResults[node]?.ranBecause.join("; ") ?? "";
}

/** node/port/file → sha256 of every output of every script: equal across runs when bytes are. */
export function outputsOf(r: RunResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of Object.values(r.scriptResults)) {
    for (const [port, dir] of Object.entries(s.outputs)) {
      for (const file of listFiles(dir))
        out[`${s.node}/${port}/${path.relative(dir, file)}`] = createHash("sha256")
          .update(readFileSync(file))
          .digest("hex");
    }
  }
  return out;
}

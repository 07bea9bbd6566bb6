/**
 * What the executor benchmarks (warm.ts, ray.ts) share: the trivial pandas + scikit-learn node,
 * plain pipelines of it in temp folders, and one run of a plan timed per node. Not a benchmark
 * itself (its name starts with `_`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { runPlan } from "../src/engine/run.js";
import type { Executor } from "../src/exec/types.js";
import type { Plan } from "../src/model/plan.js";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const python = path.join(root, ".venv/bin/python");

// Trivial on purpose: the node imports pandas and scikit-learn (what costs a second cold), reads
// its input if it has one, and writes a tiny CSV with pandas.
const TRIVIAL = `import os
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression


def main(input_paths, output_paths, environ_vars, job_args):
    rows = sum(len(pd.read_csv(os.path.join(folder, "part.csv"))) for folder in input_paths.values())
    frame = pd.DataFrame({"upstream_rows": [rows], "model": [LogisticRegression.__name__], "sklearn": [sklearn.__version__]})
    os.makedirs(output_paths["data"], exist_ok=True)
    frame.to_csv(os.path.join(output_paths["data"], "part.csv"), index=False)
`;

/** A plain pipeline of the trivial node (`step.py`) in a new temp folder named after `name`. */
export function plainProject(
  name: string,
  nodes: Record<string, unknown>,
  edges: [string, string][],
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dagtest-bench-${name}-`));
  writeFileSync(path.join(dir, "step.py"), TRIVIAL);
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    stringify({ version: 1, python, pipeline: { nodes, edges } }),
  );
  return dir;
}

/** 1 source → `width` nodes → 1 sink, each the trivial node. */
export function wide(name: string, width: number): string {
  const nodes: Record<string, unknown> = { source: { script: "step.py", outputs: ["data"] } };
  const edges: [string, string][] = [];
  for (let i = 0; i < width; i++) {
    nodes[`w${i}`] = { script: "step.py", inputs: ["data"], outputs: ["data"] };
    edges.push(["source", `w${i}`], [`w${i}`, "sink"]);
  }
  nodes.sink = { script: "step.py", inputs: ["data"], outputs: ["data"] };
  return plainProject(name, nodes, edges);
}

export interface Measured {
  readonly wallMs: number;
  /** Per node: wall time as the engine sees it (nodeStart → nodeEnd) minus the script's import + main. */
  readonly overheadMs: number[];
  /** The executors the nodes ran on (`fork`, `process`, `ray`, ...). */
  readonly kinds: Set<string>;
  readonly nodes: number;
}

/** One run of `plan` on `executor`, timed per node; throws when a node fails. */
export async function measure(
  plan: Plan,
  dir: string,
  executor: Executor,
  concurrency: number,
): Promise<Measured> {
  const starts = new Map<string, number>();
  const overheadMs: number[] = [];
  const kinds = new Set<string>();
  const started = performance.now();
  const result = await runPlan(plan, {
    executor,
    stateDir: dir,
    python,
    concurrency,
    reporters: [
      {
        onEvent: (e) => {
          if (e.type === "nodeStart") starts.set(e.node, performance.now());
          if (e.type === "nodeEnd" && starts.has(e.result.node)) {
            overheadMs.push(performance.now() - starts.get(e.result.node)! - (e.result.scriptMs ?? 0));
            kinds.add(e.result.executor ?? "none");
          }
        },
      },
    ],
  });
  const wallMs = performance.now() - started;
  if (!result.pipelineSuccess) {
    const failed = Object.values(result.scriptResults).filter((r) => r.status === "failed");
    throw new Error(`${dir}: ${failed.map((r) => `${r.node}: ${r.message}`).join("; ")}`);
  }
  return { wallMs, overheadMs, kinds, nodes: overheadMs.length };
}

/** The median of a run's samples: one definition for every benchmark (bench/_table.ts). */
export { median } from "./_table.js";

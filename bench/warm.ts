/**
 * `npm run bench -- warm`: the warm fork server against cold processes, side by side in one
 * process, on three pipelines written to temp folders:
 *
 * - chain20: 20 trivial nodes in a chain, each importing pandas and scikit-learn, reading its
 *   input and writing a one-row CSV with pandas (a chain, so that nothing overlaps and the run
 *   time is the sum of what each node costs);
 * - wide: 1 source → 16 nodes → 1 sink, the same trivial script;
 * - tabular: the bundled example (examples/tabular, 8 real pandas/scikit-learn scripts).
 *
 * Each pipeline runs cold, then warm with a fresh executor (so the warm time includes starting
 * the server and preloading), then warm again on that executor (server already up, as in watch
 * mode). Engine overhead per node = the node's wall time as the engine sees it (nodeStart to
 * nodeEnd: job setup, the process, input/output checks) minus the script's own import + main
 * as the runner measured it. Ends with `warm-overhead-median` and `warm-vs-cold` for chain20.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { loadSpecProject } from "../src/config/project.js";
import { runPlan } from "../src/engine/run.js";
import { ColdExecutor } from "../src/exec/cold.js";
import type { Executor } from "../src/exec/types.js";
import { WarmExecutor } from "../src/exec/warm.js";
import type { Plan } from "../src/model/plan.js";
import { planProject } from "../src/plan/build.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".venv/bin/python");
const workers = os.availableParallelism();

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

function plainProject(name: string, nodes: Record<string, unknown>, edges: [string, string][]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dagtest-bench-warm-${name}-`));
  writeFileSync(path.join(dir, "step.py"), TRIVIAL);
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    stringify({ version: 1, python, pipeline: { nodes, edges } }),
  );
  return dir;
}

function chain(count: number): string {
  const nodes: Record<string, unknown> = {};
  const edges: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${String(i + 1).padStart(2, "0")}`;
    nodes[name] = { script: "step.py", inputs: i === 0 ? [] : ["data"], outputs: ["data"] };
    if (i > 0) edges.push([`n${String(i).padStart(2, "0")}`, name]);
  }
  return plainProject("chain", nodes, edges);
}

function wide(width: number): string {
  const nodes: Record<string, unknown> = { source: { script: "step.py", outputs: ["data"] } };
  const edges: [string, string][] = [];
  for (let i = 0; i < width; i++) {
    nodes[`w${i}`] = { script: "step.py", inputs: ["data"], outputs: ["data"] };
    edges.push(["source", `w${i}`], [`w${i}`, "sink"]);
  }
  nodes.sink = { script: "step.py", inputs: ["data"], outputs: ["data"] };
  return plainProject("wide", nodes, edges);
}

function tabular(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-warm-tabular-"));
  cpSync(path.join(root, "examples/tabular"), dir, {
    recursive: true,
    filter: (f) => !f.includes(".dagtest"),
  });
  const spec = parse(readFileSync(path.join(dir, "dagtest.yaml"), "utf8")) as Record<string, unknown>;
  writeFileSync(path.join(dir, "dagtest.yaml"), stringify({ ...spec, python }));
  return dir;
}

interface Measured {
  readonly wallMs: number;
  readonly overheadMs: number[];
  readonly kinds: Set<string>;
  readonly nodes: number;
}

async function measure(plan: Plan, dir: string, executor: Executor): Promise<Measured> {
  const starts = new Map<string, number>();
  const overheadMs: number[] = [];
  const kinds = new Set<string>();
  const started = performance.now();
  const result = await runPlan(plan, {
    executor,
    stateDir: dir,
    python,
    concurrency: workers,
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pad = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(9) : c.padStart(i === 1 ? 5 : 13))).join(" ");

const pipelines = [
  { name: "chain20", dir: chain(20) },
  { name: "wide", dir: wide(16) },
  { name: "tabular", dir: tabular() },
];
const figures = new Map<string, { cold: Measured; warm: Measured }>();
try {
  console.log(`${workers} workers, ${python}`);
  console.log(
    pad([
      "pipeline",
      "nodes",
      "cold",
      "warm",
      "warm, up",
      "speed-up",
      "cold ovh/node",
      "warm ovh/node",
      "server boot",
    ]),
  );
  for (const { name, dir } of pipelines) {
    const plan = await planProject(loadSpecProject(path.join(dir, "dagtest.yaml")));
    const cold = await measure(plan, dir, new ColdExecutor());
    const executor = new WarmExecutor();
    let warm: Measured;
    let up: Measured;
    let boot = 0;
    try {
      warm = await measure(plan, dir, executor);
      boot = (await executor.servers())[0]?.bootMs ?? Number.NaN;
      up = await measure(plan, dir, executor);
    } finally {
      await executor.close();
    }
    if (![...warm.kinds, ...up.kinds].every((k) => k === "fork"))
      throw new Error(`${name}: some warm nodes did not fork: ${[...warm.kinds].join(", ")}`);
    figures.set(name, { cold, warm });
    console.log(
      pad([
        name,
        String(cold.nodes),
        seconds(cold.wallMs),
        seconds(warm.wallMs),
        seconds(up.wallMs),
        `${(cold.wallMs / warm.wallMs).toFixed(1)}x`,
        `${median(cold.overheadMs).toFixed(1)} ms`,
        `${median(warm.overheadMs).toFixed(1)} ms`,
        `${(boot / 1000).toFixed(2)} s`,
      ]),
    );
  }
  console.log(
    "cold/warm: a fresh executor each (warm includes starting the server); warm, up: the server already running;",
  );
  console.log(
    "ovh/node: median per node of wall time (nodeStart → nodeEnd) minus the script's own import + main",
  );
  const chain20 = figures.get("chain20")!;
  console.log(`warm-overhead-median: ${median(chain20.warm.overheadMs).toFixed(1)} ms`);
  console.log(`warm-vs-cold: ${(chain20.cold.wallMs / chain20.warm.wallMs).toFixed(1)}x`);
} finally {
  for (const { dir } of pipelines) rmSync(dir, { recursive: true, force: true });
}

/**
 * `npm run bench -- parallel`: how close `dagtest run --jobs 2` gets to the best a 2-worker
 * scheduler could do. A wide DAG (1 source → 16 sleep-bound nodes → 1 sink) is written as a plain
 * dagtest.yaml in a temp folder and run through the real engine with the executor the CLI uses;
 * the wall time is compared with the critical-path bound
 *
 *   bound = max(longest path of sleep durations, total sleep / workers)
 *
 * which no schedule can beat even with free process starts. The ratio over that bound is the
 * figure: it counts process start, the runner, the per-node checks and scheduler latency.
 * Median of several runs after a warm-up (`--runs N`, default 3); `--cold` forces the
 * cold-process executor.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { loadSpecProject } from "../src/config/project.js";
import { runPlan } from "../src/engine/run.js";
import { createExecutor } from "../src/exec/index.js";
import type { Executor } from "../src/exec/types.js";
import type { Reporter } from "../src/model/events.js";
import type { Plan } from "../src/model/plan.js";
import { planProject } from "../src/plan/build.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORKERS = 2;
const WIDTH = 16;
const SOURCE_SLEEP = 0.1;
const SINK_SLEEP = 0.1;

/** 16 sleeps from 0.3 s to 1.2 s, spread evenly and interleaved so no two neighbours are alike. */
function middleSleeps(): number[] {
  const step = (1.2 - 0.3) / (WIDTH - 1);
  const sorted = Array.from({ length: WIDTH }, (_, i) => Math.round((0.3 + i * step) * 100) / 100);
  return sorted.map((_, i) => sorted[(i * 7) % WIDTH]!);
}

const STEP_SCRIPT = `import os, time

def main(input_paths, output_paths, environ_vars, job_args):
    for folder in input_paths.values():
        assert os.listdir(folder), "empty input " + folder
    time.sleep(float(environ_vars["SLEEP_SECONDS"]))
    for folder in output_paths.values():
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "part.csv"), "w") as out:
            out.write("a,b\\n1,2\\n")
`;

interface Generated {
  readonly dir: string;
  readonly sleeps: ReadonlyMap<string, number>;
  readonly edges: readonly (readonly [string, string])[];
}

function generate(): Generated {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-parallel-"));
  writeFileSync(path.join(dir, "step.py"), STEP_SCRIPT);
  const sleeps = new Map<string, number>([["source", SOURCE_SLEEP]]);
  const nodes: Record<string, unknown> = {
    source: { script: "step.py", outputs: ["data"], env: { SLEEP_SECONDS: SOURCE_SLEEP } },
  };
  const edges: [string, string][] = [];
  const parts: string[] = [];
  middleSleeps().forEach((seconds, i) => {
    const name = `w${String(i + 1).padStart(2, "0")}`;
    const part = `part_${name}`;
    sleeps.set(name, seconds);
    parts.push(part);
    nodes[name] = { script: "step.py", inputs: ["data"], outputs: [part], env: { SLEEP_SECONDS: seconds } };
    edges.push(["source", name], [name, "sink"]);
  });
  sleeps.set("sink", SINK_SLEEP);
  nodes.sink = { script: "step.py", inputs: parts, outputs: ["report"], env: { SLEEP_SECONDS: SINK_SLEEP } };
  const spec = {
    version: 1,
    python: path.join(root, ".venv/bin/python"),
    pipeline: { nodes, edges },
  };
  writeFileSync(path.join(dir, "dagtest.yaml"), stringify(spec));
  return { dir, sleeps, edges };
}

/** Longest path through the DAG, weighted by each node's sleep. */
function longestPath(order: readonly string[], g: Generated): number {
  const finish = new Map<string, number>();
  for (const node of order) {
    const before = g.edges.filter(([, to]) => to === node).map(([from]) => finish.get(from) ?? 0);
    finish.set(node, Math.max(0, ...before) + (g.sleeps.get(node) ?? 0));
  }
  return Math.max(...finish.values());
}

interface Measured {
  readonly wallMs: number;
  /** Mean of (a node's executor time − its sleep): process start or fork, runner, exit. */
  readonly processMs: number;
  /** Mean of (engine time of a node − its process time): job setup, input hashing, output checks. */
  readonly engineMs: number;
  /** Mean time from the latest node end to the next node start: scheduler latency. */
  readonly dispatchMs: number;
}

async function runOnce(plan: Plan, stateDir: string, executor: Executor, g: Generated): Promise<Measured> {
  const starts = new Map<string, number>();
  let lastEnd: number | null = null;
  const dispatch: number[] = [];
  const engine: number[] = [];
  const reporter: Reporter = {
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === "nodeStart") {
        starts.set(e.node, now);
        if (lastEnd !== null) dispatch.push(now - lastEnd);
      } else if (e.type === "nodeEnd") {
        lastEnd = now;
        engine.push(now - (starts.get(e.result.node) ?? now) - e.result.durationMs);
      }
    },
  };
  const started = performance.now();
  const result = await runPlan(plan, {
    executor,
    stateDir,
    python: plan.sources.python.executable ?? plan.sources.python.command,
    concurrency: WORKERS,
    reporters: [reporter],
  });
  const wallMs = performance.now() - started;
  if (!result.pipelineSuccess)
    throw new Error(`the bench pipeline failed: ${result.errors.join("; ") || "see run.json"}`);
  const startup = Object.values(result.scriptResults).map(
    (r) => r.durationMs - (g.sleeps.get(r.node) ?? 0) * 1000,
  );
  return { wallMs, processMs: mean(startup), engineMs: mean(engine), dispatchMs: mean(dispatch) };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg >= 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 3) : 3;
const g = generate();
// The executor factory `dagtest run` uses: warm (fork server) on Linux, cold elsewhere; `--cold`
// forces fresh processes.
const executor = createExecutor({ cold: process.argv.includes("--cold") });
try {
  const plan = await planProject(loadSpecProject(path.join(g.dir, "dagtest.yaml")));
  if (!plan.summary.ready) throw new Error("the generated bench plan is not ready to run");
  const total = [...g.sleeps.values()].reduce((a, b) => a + b, 0);
  const critical = longestPath(plan.order, g);
  const boundS = Math.max(critical, total / WORKERS);
  console.log(
    `DAG: 1 source → ${WIDTH} sleep-bound nodes (0.3–1.2 s) → 1 sink, --jobs ${WORKERS}, executor "${executor.name}"`,
  );
  console.log(
    `bound = max(longest path of sleeps, total sleep / ${WORKERS}) = max(${critical.toFixed(2)} s, ${total.toFixed(2)} s / ${WORKERS}) = ${boundS.toFixed(2)} s`,
  );
  // Warm-up: page cache, the fork server, and the durations the scheduler orders by next time
  // (longest expected path first; the very first run of a project keeps topological order).
  await runOnce(plan, g.dir, executor, g);
  const measured: Measured[] = [];
  for (let i = 0; i < runs; i++) measured.push(await runOnce(plan, g.dir, executor, g));
  console.log("");
  console.log(
    "per node, mean: process = start or fork + runner + exit; engine = setup + checks; dispatch = last end → next start",
  );
  console.log("run  wall      bound    ratio  process  engine  dispatch");
  measured.forEach((m, i) => {
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `${String(i + 1).padEnd(5)}${`${(m.wallMs / 1000).toFixed(2)} s`.padEnd(10)}${`${boundS.toFixed(2)} s`.padEnd(9)}${(m.wallMs / 1000 / boundS).toFixed(3).padEnd(7)}${ms(m.processMs).padEnd(9)}${ms(m.engineMs).padEnd(8)}${ms(m.dispatchMs)}`,
    );
  });
  const ratio = median(measured.map((m) => m.wallMs)) / 1000 / boundS;
  console.log("");
  console.log(`parallel-vs-bound: ${ratio.toFixed(3)}`);
} finally {
  await executor.close();
  rmSync(g.dir, { recursive: true, force: true });
}

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
import { parse, stringify } from "yaml";
import { loadSpecProject } from "../src/config/project.js";
import { ColdExecutor } from "../src/exec/cold.js";
import { WarmExecutor } from "../src/exec/warm.js";
import { planProject } from "../src/plan/build.js";
import { type Measured, measure, median, plainProject, python, root, wide } from "./_timing.js";

const workers = os.availableParallelism();

function chain(count: number): string {
  const nodes: Record<string, unknown> = {};
  const edges: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${String(i + 1).padStart(2, "0")}`;
    nodes[name] = { script: "step.py", inputs: i === 0 ? [] : ["data"], outputs: ["data"] };
    if (i > 0) edges.push([`n${String(i).padStart(2, "0")}`, name]);
  }
  return plainProject("warm-chain", nodes, edges);
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

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pad = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(9) : c.padStart(i === 1 ? 5 : 13))).join(" ");

const pipelines = [
  { name: "chain20", dir: chain(20) },
  { name: "wide", dir: wide("warm-wide", 16) },
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
    const cold = await measure(plan, dir, new ColdExecutor(), workers);
    const executor = new WarmExecutor();
    let warm: Measured;
    let up: Measured;
    let boot = 0;
    try {
      warm = await measure(plan, dir, executor, workers);
      boot = (await executor.servers())[0]?.bootMs ?? Number.NaN;
      up = await measure(plan, dir, executor, workers);
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

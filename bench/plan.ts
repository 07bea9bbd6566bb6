/**
 * `npm run bench -- plan`: plans generated cursus-like DAGs of 1,000 and 10,000 nodes (a layered
 * DAG over the example's eight step types, one config entry per node, scripts shared by step type
 * as in real pipelines) and reports the engine's own time: load + analyse + facts + build, minus
 * the time the Python static check takes (reported separately). Median of several runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadDirectProject } from "../src/config/project.js";
import { analyseNodes } from "../src/plan/analyse.js";
import { buildPlan } from "../src/plan/build.js";
import { gatherFacts } from "../src/plan/facts.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const example = path.join(root, "examples/tabular");

/** Step types of the example and the config entry each generated node gets. */
const STEPS = [
  {
    type: "TabularPreprocessing",
    cls: "TabularPreprocessingConfig",
    entry: "tabular_preprocessing.py",
    job: "training",
  },
  {
    type: "RiskTableMapping",
    cls: "RiskTableMappingConfig",
    entry: "risk_table_mapping.py",
    job: "training",
  },
  { type: "ModelEval", cls: "ModelEvalConfig", entry: "model_eval.py", job: "calibration" },
  {
    type: "ModelCalibration",
    cls: "ModelCalibrationConfig",
    entry: "model_calibration.py",
    job: "calibration",
  },
  { type: "Package", cls: "PackageConfig", entry: "package.py", job: null },
];

function generate(dir: string, count: number): { dag: string; config: string } {
  const nodes: string[] = [];
  const edges: [string, string][] = [];
  const specific: Record<string, Record<string, unknown>> = {};
  const width = 10;
  for (let i = 0; i < count; i++) {
    const step =
      i < width
        ? { type: "CradleDataLoading", cls: "CradleDataLoadingConfig", entry: "", job: "training" }
        : STEPS[i % STEPS.length]!;
    const name = `${step.type}_n${i}`;
    nodes.push(name);
    specific[name] = {
      __model_type__: step.cls,
      ...(step.job ? { job_type: step.job } : {}),
      ...(step.entry
        ? { processing_entry_point: step.entry, processing_source_dir: "dockers/tabular_example/scripts" }
        : {}),
    };
    if (i >= width) {
      const layerStart = Math.floor(i / width) * width;
      for (let k = 0; k < 2; k++) edges.push([nodes[layerStart - width + ((i + k * 3) % width)]!, name]);
    }
  }
  const dag = path.join(dir, `dag-${count}.dag.json`);
  const config = path.join(dir, `config-${count}.json`);
  writeFileSync(
    dag,
    JSON.stringify({ dag: { nodes, edges: [...new Map(edges.map((e) => [e.join(">"), e])).values()] } }),
  );
  writeFileSync(
    config,
    JSON.stringify({
      configuration: { shared: { region: "NA", label_name: "is_fraud", id_name: "order_id" }, specific },
    }),
  );
  return { dag, config };
}

async function planOnce(files: {
  dag: string;
  config: string;
}): Promise<{ engine: number; describe: number; nodes: number }> {
  const start = performance.now();
  const project = loadDirectProject({
    dag: files.dag,
    config: files.config,
    interfaces: [path.join(example, "interfaces")],
    projectRoot: path.join(example, "..", "..", "examples", "tabular", "deployed"),
    scripts: [path.join(example, "src")],
    python: path.join(root, ".venv/bin/python"),
  });
  const contexts = analyseNodes(project);
  const facts = await gatherFacts(project, contexts);
  const plan = buildPlan(project, contexts, facts);
  const total = performance.now() - start;
  return { engine: total - facts.describeMs, describe: facts.describeMs, nodes: plan.nodes.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-plan-"));
mkdirSync(dir, { recursive: true });
try {
  const results: Record<number, { engine: number; describe: number }> = {};
  for (const [count, runs] of [
    [1000, 7],
    [10000, 3],
  ] as const) {
    const files = generate(dir, count);
    await planOnce(files); // warm-up: JIT and file cache
    const engine: number[] = [];
    const describe: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await planOnce(files);
      if (r.nodes !== count) throw new Error(`planned ${r.nodes} nodes, expected ${count}`);
      engine.push(r.engine);
      describe.push(r.describe);
    }
    results[count] = { engine: median(engine), describe: median(describe) };
    console.log(
      `${count} nodes: engine ${median(engine).toFixed(1)} ms (median of ${runs}), Python static check ${median(describe).toFixed(1)} ms`,
    );
  }
  console.log(`plan-1000-nodes: ${results[1000]!.engine.toFixed(1)} ms`);
  console.log(`plan-10000-nodes: ${results[10000]!.engine.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

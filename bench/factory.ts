/**
 * `npm run bench -- factory`: the interactive testing factory on a generated 20-node cursus-like
 * pipeline (two copies of the example's branch structure, over its interfaces and scripts).
 * 1. `createTestingFactory` engine time: load + analyse + facts + first plan, minus the Python
 *    static check (reported apart, as in bench/plan.ts). Median of several.
 * 2. `configureScriptTesting` per call, validation included, alternating valid configurations of
 *    scripts and phantoms. Median of 200 calls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { createTestingFactory } from "../src/factory/create.js";
import type { TestingFactory } from "../src/factory/factory.js";
import type { ScriptConfiguration } from "../src/factory/types.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const example = path.join(root, "examples/tabular");
const python = path.join(root, ".venv/bin/python");

interface RawDag {
  dag: { nodes: string[]; edges: [string, string][] };
}
interface RawConfig {
  configuration: { shared: Record<string, unknown>; specific: Record<string, Record<string, unknown>> };
}

/** Two branches of the example (Registration left out): 20 nodes, 4 phantoms, 16 scripts. */
function generate(dir: string): void {
  const dag = (JSON.parse(readFileSync(path.join(example, "pipeline.dag.json"), "utf8")) as RawDag).dag;
  const config = JSON.parse(
    readFileSync(path.join(example, "pipeline_config/config.json"), "utf8"),
  ) as RawConfig;
  const keep = dag.nodes.filter((n) => n !== "Registration");
  const nodes: string[] = [];
  const edges: [string, string][] = [];
  const specific: Record<string, Record<string, unknown>> = {};
  for (const branch of ["a", "b"]) {
    const name = (n: string) => `${n}_${branch}`;
    for (const n of keep) {
      nodes.push(name(n));
      specific[name(n)] = config.configuration.specific[n]!;
    }
    for (const [from, to] of dag.edges) if (keep.includes(to)) edges.push([name(from), name(to)]);
  }
  writeFileSync(path.join(dir, "pipeline.dag.json"), JSON.stringify({ dag: { nodes, edges } }));
  writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ configuration: { shared: config.configuration.shared, specific } }),
  );
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    stringify({
      version: 1,
      dag: "pipeline.dag.json",
      config: "config.json",
      interfaces: [path.join(example, "interfaces")],
      paths: { "dockers/tabular_example": path.join(example, "src") },
      python,
    }),
  );
}

async function createOnce(dir: string): Promise<{ engine: number; check: number; factory: TestingFactory }> {
  const start = performance.now();
  const factory = await createTestingFactory({ project: dir });
  const total = performance.now() - start;
  return { engine: total - factory.staticCheckMs, check: factory.staticCheckMs, factory };
}

/** Valid configurations to alternate between: each script's first env var, and the phantoms' data. */
function configurations(factory: TestingFactory): [string, ScriptConfiguration][] {
  const data = (job: string) => ({
    DATA: path.join(example, `data/${job}/data`),
    SIGNATURE: path.join(example, `data/${job}/signature`),
  });
  const out: [string, ScriptConfiguration][] = [];
  for (const script of factory.getScriptsRequiringTesting()) {
    const env = factory.getScriptTestingRequirements(script).env.find((e) => e.defaultValue !== null);
    if (!env) continue;
    out.push([script, { env: { [env.name]: env.defaultValue! } }]);
    out.push([script, { env: { [env.name]: `${env.defaultValue}-changed` } }]);
  }
  for (const s of factory.getSkippedNodes().filter((n) => n.node.startsWith("CradleDataLoading"))) {
    out.push([s.node, { outputs: data("training") }]);
    out.push([s.node, { outputs: data("calibration") }]);
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-factory-"));
try {
  generate(dir);
  await createOnce(dir); // warm-up: JIT and file cache
  const engine: number[] = [];
  const check: number[] = [];
  let factory: TestingFactory | null = null;
  for (let i = 0; i < 7; i++) {
    const r = await createOnce(dir);
    engine.push(r.engine);
    check.push(r.check);
    factory = r.factory;
  }
  const f = factory!;
  if (f.plan.nodes.length !== 20) throw new Error(`planned ${f.plan.nodes.length} nodes, expected 20`);
  // Answer the phantoms first: a script's configuration is accepted only once it is complete.
  for (const s of f.getSkippedNodes().filter((n) => n.node.startsWith("CradleDataLoading"))) {
    f.configureScriptTesting(s.node, { outputs: { DATA: path.join(example, "data/training/data") } });
  }
  if (!f.getTestingFactorySummary().readyForTesting) throw new Error("the generated pipeline is not ready");
  const configs = configurations(f);
  const perCall: number[] = [];
  for (let i = 0; i < 220; i++) {
    const [name, config] = configs[i % configs.length]!;
    const start = performance.now();
    f.configureScriptTesting(name, config);
    if (i >= 20) perCall.push(performance.now() - start); // the first 20 warm up
  }
  const rows = [
    ["factory-create-20 (engine)", median(engine), `median of ${engine.length}`],
    ["  Python static check (apart)", median(check), `median of ${check.length}`],
    ["configure-validate (per call)", median(perCall), `median of ${perCall.length}`],
  ] as const;
  console.log("| measure | ms | runs |\n|---|---:|---|");
  for (const [label, ms, runs] of rows) console.log(`| ${label} | ${ms.toFixed(2)} | ${runs} |`);
  console.log(`factory-create-20: ${median(engine).toFixed(1)} ms`);
  console.log(`configure-validate: ${median(perCall).toFixed(2)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

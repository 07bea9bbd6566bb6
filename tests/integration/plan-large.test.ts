/**
 * A generated 300-node cursus-like project (the plan benchmark's shape, plus user settings that
 * make some nodes differ): planning shares per-node parts between nodes (env, job args, limits,
 * outputs, wiring decisions) for speed. Each shared part must be exactly what deriving it for
 * that node alone gives; these tests derive every node's parts again, unshared, and compare.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpecProject, type Project } from "../../src/config/project.js";
import type { Plan, PlanNode, ScriptNode } from "../../src/model/plan.js";
import { analyseNodes, type NodeContext } from "../../src/plan/analyse.js";
import { bindPort } from "../../src/plan/binding.js";
import { buildPlan } from "../../src/plan/build.js";
import { deriveEnv, deriveJobArgs } from "../../src/plan/env.js";
import { type Facts, gatherFacts } from "../../src/plan/facts.js";
import { wireConsumer } from "../../src/wire/assign.js";
import { removeTempDirs, repoRoot, tempDir, testPython, writeTree } from "../helpers/paths.js";

afterAll(removeTempDirs);

const EXAMPLE = path.join(repoRoot, "examples/tabular");

const STEPS = [
  { type: "TabularPreprocessing", entry: "tabular_preprocessing.py", job: "training" },
  { type: "RiskTableMapping", entry: "risk_table_mapping.py", job: "training" },
  { type: "ModelEval", entry: "model_eval.py", job: "calibration" },
  { type: "ModelCalibration", entry: "model_calibration.py", job: "calibration" },
  // No job_type: the node-name suffix (`_n14`) is the job type, and names no variant.
  { type: "Package", entry: "package.py", job: null },
] as const;

/** Layers of ten; every node after the first layer has two parents in the layer above. */
function generate(dir: string, count: number): string {
  const nodes: string[] = [];
  const edges: [string, string][] = [];
  const specific: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < count; i++) {
    const step =
      i < 10 ? { type: "CradleDataLoading", entry: "", job: "training" } : STEPS[i % STEPS.length]!;
    const name = `${step.type}_n${i}`;
    nodes.push(name);
    specific[name] = {
      __model_type__: `${step.type}Config`,
      ...(step.job ? { job_type: step.job } : {}),
      ...(step.entry ? { processing_entry_point: step.entry, processing_source_dir: "src/scripts" } : {}),
      // Every seventh node labels another column: its env differs from its step type's others.
      ...(i % 7 === 0 ? { label_name: `label_${i % 3}` } : {}),
    };
    if (i >= 10) {
      const layer = Math.floor(i / 10) * 10;
      for (let k = 0; k < 2; k++) edges.push([nodes[layer - 10 + ((i + k * 3) % 10)]!, name]);
    }
  }
  // A repeated edge: one producer listed twice for one consumer.
  edges.push(edges[edges.length - 1]!);
  const settings = [
    "nodes:",
    ...nodes.slice(0, 10).flatMap((n) => [`  ${n}:`, `    outputs: {DATA: ${EXAMPLE}/data/training/data}`]),
    "  TabularPreprocessing_n20: {env: {TRAIN_RATIO: '0.5'}, timeout: 30}",
    "  RiskTableMapping_n21: {job_args: {job_type: validation}}",
    "  ModelEval_n22: {num_cpus: 2}",
  ];
  return writeTree(dir, {
    "pipeline.dag.json": JSON.stringify({ dag: { nodes, edges } }),
    "config.json": JSON.stringify({
      configuration: { shared: { region: "NA", label_name: "is_fraud", id_name: "order_id" }, specific },
    }),
    "dagtest.yaml": [
      "version: 1",
      "dag: pipeline.dag.json",
      "config: config.json",
      `interfaces: [${EXAMPLE}/interfaces]`,
      `project_root: ${EXAMPLE}`,
      "run: {seed: 7}",
      ...settings,
      "",
    ].join("\n"),
  });
}

let project: Project;
let contexts: NodeContext[];
let facts: Facts;
let plan: Plan;

beforeAll(async () => {
  const dir = generate(tempDir(), 300);
  project = loadSpecProject(path.join(dir, "dagtest.yaml"), { python: testPython() });
  contexts = analyseNodes(project);
  facts = await gatherFacts(project, contexts);
  plan = buildPlan(project, contexts, facts);
}, 60_000);

function scripts(): ScriptNode[] {
  return plan.nodes.filter((n): n is ScriptNode => n.kind === "script");
}

function contextOf(node: PlanNode): NodeContext {
  return contexts.find((c) => c.name === node.name)!;
}

describe("a 300-node plan", () => {
  it("plans every node, with the generated variety", () => {
    expect(plan.nodes).toHaveLength(300);
    expect(scripts()).toHaveLength(290);
    expect(plan.problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  it("gives each script node the env its own derivation gives, shared between equal ones", () => {
    for (const node of scripts()) {
      const ctx = contextOf(node);
      const own = deriveEnv(ctx.iface!, ctx.config?.effective, ctx.settings);
      expect(node.env).toEqual([
        ...own,
        { name: "DAGTEST_SEED", required: false, declared: false, value: "7", source: expect.anything() },
      ]);
    }
    const byStep = (type: string, label: string) =>
      scripts().filter(
        (n) =>
          n.stepType === type &&
          n.name !== "TabularPreprocessing_n20" &&
          n.env.find((e) => e.name === "LABEL_FIELD")?.value === label,
      );
    const plain = byStep("ModelCalibration", "is_fraud");
    expect(plain.length).toBeGreaterThan(10);
    expect(new Set(plain.map((n) => n.env)).size).toBe(1);
    // A node whose values differ gets its own.
    const own = scripts().find((n) => n.name === "TabularPreprocessing_n20")!;
    expect(own.env.find((e) => e.name === "TRAIN_RATIO")).toMatchObject({
      value: "0.5",
      source: { kind: "user" },
    });
    expect(scripts().filter((n) => n.env === own.env)).toHaveLength(1);
  });

  it("gives each script node the job args, limits and outputs its own derivation gives", () => {
    for (const node of scripts()) {
      const ctx = contextOf(node);
      expect(node.jobArgs).toEqual(
        deriveJobArgs(ctx.iface!, ctx.config?.effective, ctx.jobType, ctx.jobTypeFromSuffix, ctx.settings),
      );
      expect(node.limits).toEqual({
        timeoutMs: (ctx.settings.timeout ?? 600) * 1000,
        memoryMb: null,
        isolation: "fork",
        ...(ctx.settings.num_cpus ? { placement: { numCpus: 2, numGpus: null, resources: {} } } : {}),
      });
      const described = facts.describe?.ok ? facts.describe.result.scripts[node.script.path] : undefined;
      const main = described?.ok ? described.mainPaths?.outputs : undefined;
      expect(node.outputs).toEqual(
        ctx.iface!.outputs.map((o) => ({
          name: o.name,
          containerPath: o.containerPath,
          type: o.type,
          dataType: o.dataType,
          aliases: o.aliases,
          binding: bindPort(o.containerPath, main?.[o.name]),
        })),
      );
    }
    const validation = scripts().find((n) => n.name === "RiskTableMapping_n21")!;
    expect(validation.jobArgs).toEqual([
      { flag: "--job_type", attr: "job_type", value: "validation", source: { kind: "user" } },
    ]);
    // Package nodes' job type is their name's suffix, which names no variant: one interface.
    const packages = scripts().filter((n) => n.stepType === "Package");
    expect(new Set(packages.map((n) => n.jobType)).size).toBe(packages.length);
    expect(new Set(packages.map((n) => n.env)).size).toBe(1);
  });

  it("wires every consumer as wiring it alone does, a repeated edge included", () => {
    for (const node of scripts()) {
      const ctx = contextOf(node);
      const open = ctx.iface!.inputs.filter((i) => {
        const kind = node.inputs.find((n) => n.name === i.name)!.provision.kind;
        return kind === "wire" || kind === "none";
      });
      const producers = node.upstream.map((up) => {
        const producer = plan.nodes.find((n) => n.name === up)!;
        const iface = contextOf(producer).iface;
        return {
          node: up,
          stepType: producer.stepType ?? up,
          // Fresh lists: nothing remembered from other consumers applies.
          outputs: [...(iface?.outputs ?? [])],
          phantom: producer.kind === "phantom",
        };
      });
      const alone = wireConsumer(node.name, [...open], producers).wires;
      expect(plan.wires.filter((w) => w.to.node === node.name)).toEqual(alone);
    }
    const last = plan.nodes[plan.nodes.length - 1]!;
    expect(new Set(last.upstream).size).toBeLessThan(last.upstream.length);
  });

  it("tracks the cache of each node from its own check and its upstream nodes", () => {
    const byName = new Map(plan.nodes.map((n) => [n.name, n]));
    for (const node of scripts()) {
      const upstreamTracked = node.inputs.every((i) => {
        if (i.provision.kind !== "wire") return true;
        const producer = byName.get(i.provision.from.node)!;
        return producer.kind !== "script" || producer.cache.tracked;
      });
      expect(node.cache.tracked).toBe(node.check !== null && upstreamTracked);
    }
  });
});

/**
 * `buildPlan`: the pure assembly of a Plan from the project, the per-node analysis and the
 * gathered facts. `planProject` is the whole pipeline (analyse → gather facts → build).
 */
import { existsSync } from "node:fs";
import type { Project } from "../config/project.js";
import { adjacency, generations, topologicalOrder } from "../graph/topology.js";
import {
  type PhantomNode,
  PLAN_VERSION,
  type Plan,
  type PlanNode,
  type Problem,
  type Question,
} from "../model/plan.js";
import { attachSynthesis } from "../synth/attach.js";
import { appendAll } from "../util/arrays.js";
import { DAGTEST_VERSION } from "../version.js";
import { analyseNodes, type NodeContext } from "./analyse.js";
import { raySettings } from "./execution.js";
import { type FactOptions, type Facts, gatherFacts } from "./facts.js";
import { outsideProjectWarnings } from "./outside.js";
import { problem } from "./problems.js";
import { type Resolution, resolveNode } from "./resolve-node.js";
import { type NodeBase, scriptNode } from "./script-node.js";
import { sharedInterfaceRef, sharedOutputs } from "./shared.js";
import { type NodeView, wireAll } from "./wiring.js";

/** Plan a loaded project: the only async step is asking Python about the scripts. */
export async function planProject(project: Project, options: FactOptions = {}): Promise<Plan> {
  const contexts = analyseNodes(project);
  const facts = await gatherFacts(project, contexts, options);
  return buildPlan(project, contexts, facts);
}

export function buildPlan(project: Project, contexts: readonly NodeContext[], facts: Facts): Plan {
  const adj = adjacency(project.dag);
  const topo = topologicalOrder(project.dag, adj);
  if (!topo.ok) throw new Error("bug: a loaded DAG has a cycle");
  const problems: Problem[] = [];
  for (const ctx of contexts) if (ctx.problems.length > 0) appendAll(problems, ctx.problems);
  if (facts.describe && !facts.describe.ok) problems.push(describeProblem(project, facts.describe));
  // One record per node (its analysis, what it resolved to, what wiring sees of it).
  const views = new Map<string, Planned>();
  for (const ctx of contexts) {
    const resolution = resolveNode(ctx, facts, problems);
    const script = resolution.kind === "script";
    views.set(ctx.name, {
      ctx,
      phantom: !script,
      sourceDir: script ? resolution.location.sourceDir : null,
      mainPaths: script && resolution.facts?.ok ? resolution.facts.mainPaths : null,
      resolution,
    });
  }
  const wiring = wireAll(project, topo.order, views, adj.predecessors, problems);
  const questions: Question[] = [...wiring.questions];
  // Built in topological order: a node's cache tracking follows from its upstream nodes'.
  const done = new Map<string, PlanNode>();
  const nodes: PlanNode[] = topo.order.map((name) => {
    const { ctx, resolution, mainPaths } = views.get(name)!;
    const base: NodeBase = {
      name,
      stepType: ctx.stepType,
      jobType: ctx.jobType,
      interface: ctx.iface && !ctx.plain ? sharedInterfaceRef(ctx.iface) : null,
      config: ctx.config ? { key: ctx.config.key, rule: ctx.config.rule } : null,
      upstream: adj.predecessors.get(name) ?? [],
      downstream: adj.successors.get(name) ?? [],
      outputs: sharedOutputs(ctx.iface?.outputs ?? NO_OUTPUTS, mainPaths?.outputs),
    };
    const node =
      resolution.kind === "phantom"
        ? phantomNode(project, base, resolution)
        : scriptNode(
            project.execution,
            ctx,
            base,
            resolution,
            { inputs: wiring.inputs.get(name) ?? [], done },
            facts,
            problems,
            questions,
          );
    done.set(name, node);
    return node;
  });
  checkUserPaths(project, problems);
  appendAll(problems, outsideProjectWarnings(project, nodes));
  const errors = problems.filter((p) => p.severity === "error").length;
  const scripts = nodes.filter((n) => n.kind === "script").length;
  const plan: Plan = {
    planVersion: PLAN_VERSION,
    dagtestVersion: DAGTEST_VERSION,
    sources: {
      spec: project.specFile,
      dag: project.dag.file,
      config: project.config?.file ?? null,
      interfaces: project.registry?.roots ?? [],
      scripts: project.scriptRoots,
      projectRoot: project.projectRoot,
      python: {
        command: project.python,
        executable: facts.describe?.ok ? facts.describe.result.python.executable : null,
        version: facts.describe?.ok ? facts.describe.result.python.version : null,
      },
    },
    execution: {
      blockPipInstall: project.execution.guards.block_pip_install,
      stubModules: project.execution.guards.stub_modules,
      freshWorkdir: project.execution.guards.fresh_workdir,
      maxLogBytes: Math.round(project.execution.max_log_mb * 1024 * 1024),
      isolation: project.execution.isolation,
      preload: project.execution.preload,
      seed: project.execution.seed ?? null,
      executor: project.execution.executor,
      ray: raySettings(project),
    },
    order: topo.order,
    layers: generations(topo.order, adj),
    nodes,
    wires: wiring.wires,
    questions,
    problems,
    summary: {
      nodes: nodes.length,
      scripts,
      phantoms: nodes.length - scripts,
      wires: wiring.wires.length,
      questions: questions.length,
      errors,
      warnings: problems.filter((p) => p.severity === "warning").length,
      notes: problems.filter((p) => p.severity === "info").length,
      ready: errors === 0 && questions.length === 0,
    },
  };
  // Synthesized phantom outputs: the recipes, and questions about columns nothing types.
  return attachSynthesis(plan, project);
}

interface Planned extends NodeView {
  readonly resolution: Resolution;
}

/** No outputs: one list for every node without an interface. */
const NO_OUTPUTS: readonly never[] = [];

function phantomNode(
  project: Project,
  base: NodeBase,
  r: Extract<Resolution, { kind: "phantom" }>,
): PhantomNode {
  const supplied = project.nodes[base.name]?.outputs ?? {};
  const suppliedOutputs: Record<string, string | null> = {};
  for (const output of base.outputs) suppliedOutputs[output.name] = supplied[output.name] ?? null;
  for (const [port, value] of Object.entries(supplied)) suppliedOutputs[port] = value;
  return {
    name: base.name,
    stepType: base.stepType,
    jobType: base.jobType,
    interface: base.interface,
    config: base.config,
    upstream: base.upstream,
    downstream: base.downstream,
    outputs: base.outputs,
    kind: "phantom",
    reason: r.reason,
    detail: r.detail,
    searched: r.searched,
    suppliedOutputs,
  };
}

/** Paths the user typed into dagtest.yaml must exist before anything runs. */
function checkUserPaths(project: Project, problems: Problem[]): void {
  for (const [node, settings] of Object.entries(project.nodes)) {
    for (const [kind, map] of [
      ["inputs", settings.inputs],
      ["outputs", settings.outputs],
    ] as const) {
      for (const [port, file] of Object.entries(map ?? {})) {
        if (existsSync(file) || (kind === "outputs" && project.synthesize[node]?.[port])) continue;
        problems.push(
          problem(
            "error",
            "DAGTEST_PATH_NOT_FOUND",
            `nodes.${node}.${kind}.${port} is ${file}, which does not exist.`,
            {
              node,
              hint: "Fix the path in dagtest.yaml (relative paths are relative to the folder holding it).",
              location: project.specFile ? { file: project.specFile } : null,
            },
          ),
        );
      }
    }
  }
}

function describeProblem(project: Project, outcome: Extract<Facts["describe"], { ok: false }>): Problem {
  const missing = outcome.reason === "python-not-found";
  return problem(
    "error",
    missing ? "DAGTEST_PYTHON_NOT_FOUND" : "DAGTEST_DESCRIBE_FAILED",
    missing
      ? `The Python interpreter "${project.python}" cannot be started, so no script could be checked.`
      : `The static check of the scripts failed: ${outcome.message}`,
    {
      hint: missing
        ? "Set `python:` in dagtest.yaml or --python (e.g. .venv/bin/python), or run `bash scripts/setup.sh`."
        : "Run with a working Python 3.9+ interpreter; if it persists, please report it.",
    },
  );
}

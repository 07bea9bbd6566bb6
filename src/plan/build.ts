/**
 * `buildPlan`: the pure assembly of a Plan from the project, the per-node analysis and the
 * gathered facts. `planProject` is the whole pipeline (analyse → gather facts → build).
 */
import { existsSync } from "node:fs";
import type { Project } from "../config/project.js";
import { adjacency, generations, topologicalOrder } from "../graph/topology.js";
import type { StepInterface } from "../model/interface.js";
import {
  type EnvRequirement,
  type PhantomNode,
  PLAN_VERSION,
  type Plan,
  type PlanNode,
  type Problem,
  type Question,
  type ScriptCheck,
  type ScriptNode,
} from "../model/plan.js";
import type { DescribeResult, ScriptFacts } from "../model/script-facts.js";
import { attachSynthesis } from "../synth/attach.js";
import { appendAll } from "../util/arrays.js";
import { DAGTEST_VERSION } from "../version.js";
import { analyseNodes, type NodeContext } from "./analyse.js";
import { cacheTracking } from "./cache-tracking.js";
import {
  disagreements,
  frameworksOf,
  missingImports,
  moduleLevelImports,
  parityOf,
  summariseCheck,
} from "./checks.js";
import { deriveJobArgs, OFFLINE_ENV } from "./env.js";
import { raySettings } from "./execution.js";
import { type FactOptions, type Facts, gatherFacts } from "./facts.js";
import { memoMany, memoOne, memoTwo } from "./memo.js";
import { outsideProjectWarnings } from "./outside.js";
import { portAliases } from "./port-aliases.js";
import { problem } from "./problems.js";
import { type Resolution, resolveNode } from "./resolve-node.js";
import {
  sharedEnv,
  sharedInterfaceRef,
  sharedJobArgs,
  sharedLimits,
  sharedOutputs,
  withSeed,
} from "./shared.js";
import { type NodeView, wireAll } from "./wiring.js";

/** Per-script facts: once per script (and interface), not once per node. */
const scriptCheck = memoOne(summariseCheck);
const scriptImports = memoOne(moduleLevelImports);
const scriptAliases = memoTwo(portAliases);
const scriptFrameworks = memoOne((check: ScriptCheck) => frameworksOf(check));

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
    const base: Base = {
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

type Base = Omit<
  ScriptNode,
  | "kind"
  | "limits"
  | "script"
  | "frameworks"
  | "check"
  | "inputs"
  | "env"
  | "jobArgs"
  | "parity"
  | "portAliases"
  | "cache"
>;

function phantomNode(project: Project, base: Base, r: Extract<Resolution, { kind: "phantom" }>): PhantomNode {
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

type Described = Extract<ScriptFacts, { ok: true }>;

/** Whether a check finds nothing, by the identity of what it is computed from. */
const emptyFor = memoMany<boolean>();
const NO_OUTPUTS: readonly never[] = [];
/** Stands for "none" in a memo key (keys are objects). */
const NONE: object = Object.freeze({});
const NO_ALIASES: ScriptNode["portAliases"] = Object.freeze({
  inputs: Object.freeze({}),
  outputs: Object.freeze({}),
});
const sharedParity = memoMany<ReturnType<typeof parityOf>>();

/**
 * Problems whose existence depends only on shared objects (the node's name is only in their
 * text): once a key is known to give none, other nodes with that key skip the check.
 */
function problemsUnlessNone(keys: readonly object[], compute: () => Problem[]): Problem[] {
  let found: Problem[] = [];
  const none = emptyFor(keys, () => {
    found = compute();
    return found.length === 0;
  });
  return none ? [] : found.length > 0 ? found : compute();
}

function scriptNode(
  execution: Project["execution"],
  ctx: NodeContext,
  base: Base,
  r: Extract<Resolution, { kind: "script" }>,
  wired: { inputs: ScriptNode["inputs"]; done: ReadonlyMap<string, PlanNode> },
  facts: Facts,
  problems: Problem[],
  questions: Question[],
): ScriptNode {
  const iface = ctx.iface!;
  const config = ctx.config?.effective;
  const env = ctx.plain
    ? withSeed(plainEnv(ctx), execution.seed)
    : sharedEnv(iface, config, ctx.settings, execution.seed);
  const jobArgs = ctx.plain
    ? deriveJobArgs(iface, undefined, null, false, {
        ...ctx.settings,
        job_args: { ...(ctx.plain.job_args ?? {}), ...(ctx.settings.job_args ?? {}) },
      })
    : sharedJobArgs(iface, config, ctx.jobType, ctx.jobTypeFromSuffix, ctx.settings);
  askForEnv(base.name, env, questions);
  const described = r.facts?.ok ? r.facts : null;
  const check = described ? scriptCheck(described) : null;
  const aliases = described ? scriptAliases(iface, described) : NO_ALIASES;
  const interpreter = facts.describe?.ok ? facts.describe.result : null;
  const parity = nodeParity(base.name, iface, interpreter, described && !ctx.plain ? described : null);
  appendAll(problems, parity.problems);
  if (described) {
    appendAll(
      problems,
      // The env and job-arg lists are per interface, the aliases per (interface, script).
      problemsUnlessNone([described, env, jobArgs], () =>
        disagreements(base.name, iface, described, env, jobArgs, aliases),
      ),
    );
    const missing = parity.parity.filter((p) => p.installed === null).map((p) => p.package);
    const modules = interpreter?.modules ?? null;
    appendAll(
      problems,
      // The script's facts and the modules come from one static check.
      problemsUnlessNone([described, execution.guards.stub_modules, parity.parity], () =>
        missingImports(base.name, described, modules, execution.guards.stub_modules, missing),
      ),
    );
  }
  const inputs = wired.inputs;
  // Every field written out (no spread of `base`): spreading into a literal this size cost more
  // than the rest of the node.
  return {
    name: base.name,
    stepType: base.stepType,
    jobType: base.jobType,
    interface: base.interface,
    config: base.config,
    upstream: base.upstream,
    downstream: base.downstream,
    outputs: base.outputs,
    kind: "script",
    limits: sharedLimits(ctx.settings, execution),
    script: r.location,
    frameworks: check ? scriptFrameworks(check) : NO_OUTPUTS,
    check,
    inputs,
    env,
    jobArgs,
    parity: parity.parity,
    portAliases: aliases,
    cache: cacheTracking({ check, inputs }, wired.done),
  };
}

/** Env lists (shared by many nodes) known to leave no required variable without a value. */
const complete = new WeakSet<readonly EnvRequirement[]>();

/** A question per required env var that nothing gives a value. */
function askForEnv(node: string, env: readonly EnvRequirement[], questions: Question[]): void {
  if (complete.has(env)) return;
  const missing = env.filter((e) => e.required && e.value === null && e.source?.kind !== "engine");
  if (missing.length === 0) complete.add(env);
  for (const e of missing) {
    questions.push({
      id: `${node}.env.${e.name}`,
      node,
      kind: "env",
      name: e.name,
      message: `Env var ${e.name} of ${node} is required and nothing gives it a value.`,
      answerAt: `nodes.${node}.env.${e.name}`,
      consumers: [],
    });
  }
}

/**
 * Pinned packages against the interpreter's: computed once per (interface, interpreter, script)
 * and shared when it finds nothing to report (the node's name is only in the problems' text).
 */
function nodeParity(
  node: string,
  iface: StepInterface,
  interpreter: DescribeResult | null,
  imports: Described | null,
): ReturnType<typeof parityOf> {
  const first = sharedParity([iface, interpreter ?? NONE, imports ?? NONE], () =>
    parityFor(node, iface, interpreter, imports),
  );
  return first.problems.length === 0 ? first : parityFor(node, iface, interpreter, imports);
}

function parityFor(
  node: string,
  iface: StepInterface,
  interpreter: DescribeResult | null,
  imports: Described | null,
): ReturnType<typeof parityOf> {
  const python = interpreter
    ? `${interpreter.python.executable} (Python ${interpreter.python.version})`
    : undefined;
  return parityOf(
    node,
    iface,
    interpreter?.packages ?? null,
    interpreter?.python.version ?? null,
    python,
    // A plain pipeline's `requirements:` are the user's own word: each one is needed.
    imports ? scriptImports(imports) : null,
  );
}

function plainEnv(ctx: NodeContext): EnvRequirement[] {
  const values = { ...(ctx.plain?.env ?? {}) };
  const user = ctx.settings.env ?? {};
  const given = { ...values, ...user };
  // A plain pipeline's env is written by the user in dagtest.yaml either way.
  const written = Object.entries(given).map(([name, value]) => ({
    name,
    required: false,
    declared: name in values,
    value: String(value),
    source: { kind: "user" as const },
  }));
  const offline = Object.entries(OFFLINE_ENV)
    .filter(([name]) => !(name in given))
    .map(([name, rule]) => ({
      name,
      required: false,
      declared: false,
      value: rule.value,
      source: { kind: "engine" as const, why: rule.why },
    }));
  return [...written, ...offline];
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

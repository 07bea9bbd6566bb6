/**
 * A script node of the plan: its env, job args and limits, what the static check says of its
 * script (set against its interface and the interpreter), and the problems and questions that
 * raises. Nodes of one step type share nearly all of it, so what follows from shared objects is
 * derived once per such set and reused while it reports nothing (the node's name is only in
 * the text of a problem or a question).
 */
import type { Project } from "../config/project.js";
import type { StepInterface } from "../model/interface.js";
import type {
  EnvRequirement,
  JobArgRequirement,
  PlanNode,
  Problem,
  Question,
  ScriptCheck,
  ScriptNode,
} from "../model/plan.js";
import type { DescribeResult, ScriptFacts } from "../model/script-facts.js";
import { appendAll } from "../util/arrays.js";
import type { NodeContext } from "./analyse.js";
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
import type { Facts } from "./facts.js";
import { memoMany, memoOne, memoTwo } from "./memo.js";
import { portAliases } from "./port-aliases.js";
import type { Resolution } from "./resolve-node.js";
import { sharedEnv, sharedJobArgs, sharedLimits, withSeed } from "./shared.js";

type Described = Extract<ScriptFacts, { ok: true }>;

/** The fields every plan node has, built by the caller. */
export type NodeBase = Omit<
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

/** Per-script facts: once per script (and interface), not once per node. */
const scriptCheck = memoOne(summariseCheck);
const scriptImports = memoOne(moduleLevelImports);
const scriptAliases = memoTwo(portAliases);
const scriptFrameworks = memoOne((check: ScriptCheck) => frameworksOf(check));

const NO_FRAMEWORKS: readonly string[] = [];
const NO_ALIASES: ScriptNode["portAliases"] = { inputs: {}, outputs: {} };
/** Stands for "none" in a memo key (keys are objects). */
const NONE: object = Object.freeze({});

/** What a script node derives from its script, its interface and the interpreter. */
interface ScriptParts {
  readonly check: ScriptCheck | null;
  readonly frameworks: readonly string[];
  readonly parity: ReturnType<typeof parityOf>;
  readonly portAliases: ScriptNode["portAliases"];
}

interface Derivation {
  readonly execution: Project["execution"];
  readonly ctx: NodeContext;
  readonly iface: StepInterface;
  readonly described: Described | null;
  readonly interpreter: DescribeResult | null;
  readonly env: readonly EnvRequirement[];
  readonly jobArgs: readonly JobArgRequirement[];
}

/** By (interface, script, interpreter); shared while its package parity reports nothing. */
const scriptParts = memoMany<ScriptParts>();
/**
 * Whether a node raises nothing, by its script, interpreter, env list and run settings, then by
 * which of its job args have a value.
 */
const nodeQuiet = memoMany<Map<string, boolean>>();

export function scriptNode(
  execution: Project["execution"],
  ctx: NodeContext,
  base: NodeBase,
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
  const described = r.facts?.ok ? r.facts : null;
  const interpreter = facts.describe?.ok ? facts.describe.result : null;
  const d: Derivation = { execution, ctx, iface, described, interpreter, env, jobArgs };
  const parts =
    (ctx.plain ? null : sharedParts(base.name, d)) ?? reportParts(base.name, d, problems, questions);
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
    frameworks: parts.frameworks,
    check: parts.check,
    inputs,
    env,
    jobArgs,
    parity: parts.parity.parity,
    portAliases: parts.portAliases,
    cache: cacheTracking({ check: parts.check, inputs }, wired.done),
  };
}

/**
 * The parts of a node when nothing about it is to be reported, else null. In two steps: what
 * follows from the script (the same for every node of it), then whether the node's env and job
 * args raise anything (the env and job-arg lists imply the interface).
 */
function sharedParts(node: string, d: Derivation): ScriptParts | null {
  const parts = scriptParts([d.iface, d.described ?? NONE, d.interpreter ?? NONE], () => partsOf(node, d));
  if (parts.parity.problems.length > 0) return null;
  // Of the job args, the checks read only which have a value: nodes whose job type is their
  // name's suffix (`Package_n14`) differ in nothing else.
  const valued = JSON.stringify(d.jobArgs.filter((a) => a.value !== null).map((a) => a.attr));
  const byArgs = nodeQuiet([d.described ?? NONE, d.interpreter ?? NONE, d.env, d.execution], () => new Map());
  let quiet = byArgs.get(valued);
  if (quiet === undefined) {
    const { asked, found } = findings(node, d, parts);
    quiet = asked.length === 0 && found.length === 0;
    byArgs.set(valued, quiet);
  }
  return quiet ? parts : null;
}

/** The parts of one node, its questions and problems reported. */
function reportParts(node: string, d: Derivation, problems: Problem[], questions: Question[]): ScriptParts {
  const parts = partsOf(node, d);
  const { asked, found } = findings(node, d, parts);
  appendAll(questions, asked);
  appendAll(problems, found);
  return parts;
}

function partsOf(node: string, d: Derivation): ScriptParts {
  const { iface, described, interpreter } = d;
  const check = described ? scriptCheck(described) : null;
  const python = interpreter
    ? `${interpreter.python.executable} (Python ${interpreter.python.version})`
    : undefined;
  const parity = parityOf(
    node,
    iface,
    interpreter?.packages ?? null,
    interpreter?.python.version ?? null,
    python,
    // A plain pipeline's `requirements:` are the user's own word: each one is needed.
    described && !d.ctx.plain ? scriptImports(described) : null,
  );
  return {
    check,
    frameworks: check ? scriptFrameworks(check) : NO_FRAMEWORKS,
    parity,
    portAliases: described ? scriptAliases(iface, described) : NO_ALIASES,
  };
}

/**
 * What a node raises, in the order reported: env questions; package parity, script–interface
 * disagreements, missing imports.
 */
function findings(node: string, d: Derivation, parts: ScriptParts): { asked: Question[]; found: Problem[] } {
  const { iface, described, interpreter, env, jobArgs, execution } = d;
  const found = [...parts.parity.problems];
  if (described) {
    appendAll(found, disagreements(node, iface, described, env, jobArgs, parts.portAliases));
    const missing = parts.parity.parity.filter((p) => p.installed === null).map((p) => p.package);
    const modules = interpreter?.modules ?? null;
    appendAll(found, missingImports(node, described, modules, execution.guards.stub_modules, missing));
  }
  return { asked: envQuestions(node, env), found };
}

/** A question per required env var that nothing gives a value. */
function envQuestions(node: string, env: readonly EnvRequirement[]): Question[] {
  return env
    .filter((e) => e.required && e.value === null && e.source?.kind !== "engine")
    .map((e) => ({
      id: `${node}.env.${e.name}`,
      node,
      kind: "env",
      name: e.name,
      message: `Env var ${e.name} of ${node} is required and nothing gives it a value.`,
      answerAt: `nodes.${node}.env.${e.name}`,
      consumers: [],
    }));
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

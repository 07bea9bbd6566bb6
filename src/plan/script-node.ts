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
  NodeLimits,
  PackageParity,
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

/** What a script node derives beyond its env and job args. */
interface ScriptParts {
  readonly limits: NodeLimits;
  readonly check: ScriptCheck | null;
  readonly frameworks: readonly string[];
  readonly parity: readonly PackageParity[];
  readonly portAliases: ScriptNode["portAliases"];
  /** Nothing to report: no problem, no question. Only then are the parts shared. */
  readonly quiet: boolean;
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

/** Quiet parts by what they follow from (the env and job-arg lists imply the interface). */
const quietParts = memoMany<ScriptParts>();

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
  const shared = ctx.plain
    ? null
    : quietParts([described ?? NONE, interpreter ?? NONE, env, jobArgs, ctx.settings, execution], () =>
        deriveParts(base.name, d, null),
      );
  const parts = shared?.quiet ? shared : deriveParts(base.name, d, { problems, questions });
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
    limits: parts.limits,
    script: r.location,
    frameworks: parts.frameworks,
    check: parts.check,
    inputs,
    env,
    jobArgs,
    parity: parts.parity,
    portAliases: parts.portAliases,
    cache: cacheTracking({ check: parts.check, inputs }, wired.done),
  };
}

/**
 * The parts of one node, reporting its questions and problems into `report` (in the order:
 * env questions; package parity, script–interface disagreements, missing imports).
 */
function deriveParts(
  node: string,
  d: Derivation,
  report: { problems: Problem[]; questions: Question[] } | null,
): ScriptParts {
  const { iface, described, interpreter, env, jobArgs, execution } = d;
  const asked = envQuestions(node, env);
  const check = described ? scriptCheck(described) : null;
  const aliases = described ? scriptAliases(iface, described) : NO_ALIASES;
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
  const found = [...parity.problems];
  if (described) {
    appendAll(found, disagreements(node, iface, described, env, jobArgs, aliases));
    const missing = parity.parity.filter((p) => p.installed === null).map((p) => p.package);
    const modules = interpreter?.modules ?? null;
    appendAll(found, missingImports(node, described, modules, execution.guards.stub_modules, missing));
  }
  if (report) {
    appendAll(report.questions, asked);
    appendAll(report.problems, found);
  }
  return {
    limits: sharedLimits(d.ctx.settings, execution),
    check,
    frameworks: check ? scriptFrameworks(check) : NO_FRAMEWORKS,
    parity: parity.parity,
    portAliases: aliases,
    quiet: asked.length === 0 && found.length === 0,
  };
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

/**
 * Planning of synthesized phantom outputs: for each phantom whose outputs dagtest.yaml asks to
 * synthesize, derive the recipe from the project (the phantom's config, every config entry, the
 * env the scripts will get, the hyperparameter files they read) and put it on the phantom node, so
 * the plan says which data is synthetic and where each column came from. A column the project
 * types nowhere becomes an open question.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type Project, synthesizedOutputPath } from "../config/project-load.js";
import type { PhantomNode, Plan, PlanNode, Problem, Question, ScriptNode } from "../model/plan.js";
import type { SyntheticData, SynthRecipe } from "../model/synth.js";
import { appendAll } from "../util/arrays.js";
import { isObject } from "../util/guards.js";
import { type ConfigEntryView, type EnvView, fieldFacts, type HyperparameterFile } from "./facts.js";
import { deriveRecipe } from "./recipe.js";
import { portRole } from "./write.js";

export function attachSynthesis(plan: Plan, project: Project): Plan {
  const requested = Object.keys(project.synthesize);
  if (requested.length === 0) return plan;
  const entries = configEntries(project);
  const hyperparameters = hyperparameterFiles(plan, project.baseDir);
  const questions: Question[] = [...plan.questions];
  const problems: Problem[] = [...plan.problems];
  const nodes: PlanNode[] = plan.nodes.map((node) => {
    const ports = project.synthesize[node.name];
    if (node.kind !== "phantom" || !ports) return node;
    const all = Object.values(ports);
    const settings = all[0]!;
    if (all.some((s) => JSON.stringify(s) !== JSON.stringify(settings)))
      problems.push(mixedSettings(node.name, Object.keys(ports)[0]!));
    const facts = fieldFacts({ entries, hyperparameters, envs: envsFrom(plan, node) });
    const config = node.config ? (entries.find((e) => e.key === node.config!.key)?.fields ?? null) : null;
    const { recipe, untyped } = deriveRecipe({ node: node.name, settings, config, facts });
    for (const column of untyped) questions.push(columnQuestion(plan, node, column));
    if (recipe.columns.length === 0) questions.push(noColumnsQuestion(plan, node));
    // The signature and metadata describe the data: a synthesized dataset brings its own, unless
    // the user gives theirs.
    const supplied = { ...node.suppliedOutputs };
    const bound = new Set(Object.keys(ports));
    for (const [port, at] of Object.entries(node.suppliedOutputs)) {
      if (at !== null || portRole(port) === "data") continue;
      supplied[port] = synthesizedOutputPath(project.baseDir, node.name, port);
      bound.add(port);
    }
    const synthetic: SyntheticData = { recipeHash: recipeHash(recipe), ports: [...bound].sort(), recipe };
    return { ...node, suppliedOutputs: supplied, synthetic } satisfies PhantomNode;
  });
  return {
    ...plan,
    nodes,
    questions,
    problems,
    summary: {
      ...plan.summary,
      warnings: plan.summary.warnings + problems.length - plan.problems.length,
      questions: questions.length,
      ready: plan.summary.errors === 0 && questions.length === 0,
    },
  };
}

/** Bump when the generator makes other values for the same recipe: cached data is then rewritten. */
export const GENERATOR_VERSION = 3;

export function recipeHash(recipe: SynthRecipe): string {
  return createHash("sha256")
    .update(JSON.stringify({ generator: GENERATOR_VERSION, recipe }))
    .digest("hex");
}

/** The ports of a phantom are one dataset: one set of synthesize settings applies to all. */
function mixedSettings(node: string, first: string): Problem {
  return {
    severity: "warning",
    code: "DAGTEST_SYNTH_MIXED_SETTINGS",
    message: `The outputs of ${node} ask for different synthesize settings; they are one dataset, made with those of ${first}.`,
    hint: `Give every output of ${node} the same {synthesize: {...}}.`,
    node,
    location: null,
  };
}

function noColumnsQuestion(plan: Plan, node: PhantomNode): Question {
  return {
    ...columnQuestion(plan, node, "*"),
    message: `Nothing in the project names the columns ${node.name} would hold (no output_spec, data source schema, field list, label or id): list them with their kinds.`,
  };
}

function columnQuestion(plan: Plan, node: PhantomNode, column: string): Question {
  const consumers = plan.wires.filter((w) => w.from.node === node.name).map((w) => w.to);
  return {
    id: `${node.name}.synthesize.columns.${column}`,
    node: node.name,
    kind: "column-type",
    name: column,
    message: `No config, field list or data source of the project gives the type of column "${column}" that ${node.name} would hold; it is synthesized as text until you say (numeric, categorical, text, date, id or label).`,
    answerAt: `nodes.${node.name}.outputs.DATA.synthesize.columns`,
    consumers,
  };
}

function configEntries(project: Project): ConfigEntryView[] {
  const config = project.config;
  if (!config) return [];
  return Object.entries(config.specific).map(([key, fields]) => ({
    key,
    fields: { ...config.shared, ...fields },
  }));
}

/** Script nodes' planned env: the phantom's descendants first (what will read its data), then the rest. */
function envsFrom(plan: Plan, phantom: PhantomNode): EnvView[] {
  const below = new Set<string>();
  const queue = [...phantom.downstream];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (below.has(name)) continue;
    below.add(name);
    appendAll(queue, plan.nodes.find((n) => n.name === name)?.downstream ?? []);
  }
  const scripts = plan.nodes.filter((n): n is ScriptNode => n.kind === "script");
  const ordered = [...scripts.filter((n) => below.has(n.name)), ...scripts.filter((n) => !below.has(n.name))];
  return ordered.map((n) => ({
    node: n.name,
    env: Object.fromEntries(n.env.filter((e) => e.value !== null).map((e) => [e.name, e.value!])),
  }));
}

/** JSON files the scripts read as hyperparameters (an input named like it: a file or a folder of them). */
function hyperparameterFiles(plan: Plan, baseDir: string): HyperparameterFile[] {
  const files = new Set<string>();
  for (const node of plan.nodes) {
    if (node.kind !== "script") continue;
    for (const input of node.inputs) {
      if (!/hyperparam/i.test(input.name)) continue;
      const p = input.provision;
      const at = p.kind === "code-dir" || p.kind === "user" ? p.path : p.kind === "config" ? p.value : null;
      if (!at || !existsSync(at)) continue;
      if (statSync(at).isFile()) files.add(at);
      else for (const f of readdirSync(at).sort()) if (f.endsWith(".json")) files.add(path.join(at, f));
    }
  }
  return [...files].flatMap((file) => {
    try {
      const data: unknown = JSON.parse(readFileSync(file, "utf8"));
      return isObject(data) ? [{ file: path.relative(baseDir, file) || file, data }] : [];
    } catch {
      return [];
    }
  });
}

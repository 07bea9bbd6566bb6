/**
 * What `dagtest init` has to ask, derived from the factory: each script's `missing` items (the
 * only required questions), plus the unsupplied optional outputs of the phantoms that feed it,
 * which no script or config can provide either and which are skipped with an empty answer.
 */
import type { TestingFactory } from "../../factory/factory.js";
import type { ScriptConfiguration } from "../../factory/types.js";

/** A section of `nodes.<node>` in dagtest.yaml, and the `configureScriptTesting` field it fills. */
export type AnswerSection = "outputs" | "inputs" | "env" | "jobArgs";

const YAML_SECTION: Readonly<Record<string, AnswerSection>> = {
  outputs: "outputs",
  inputs: "inputs",
  env: "env",
  job_args: "jobArgs",
  jobArgs: "jobArgs",
};

/** One answer's place: `nodes.<node>.<section>.<name>` (the Question's `answerAt`). */
export interface AnswerKey {
  readonly key: string;
  readonly node: string;
  readonly section: AnswerSection;
  readonly name: string;
}

export interface WizardQuestion extends AnswerKey {
  /** The script this is asked for (its header is shown above the question). */
  readonly script: string;
  readonly required: boolean;
  /** What the engine says is missing, or why an optional phantom output is worth giving. */
  readonly why: string;
  /** `node.port` inputs this answer feeds. */
  readonly feeds: readonly string[];
}

/** Parse `nodes.<node>.<section>.<name>`; node names may hold dots, sections and names do not. */
export function parseAnswerKey(key: string): AnswerKey | null {
  const parts = key.split(".");
  if (parts.length < 4 || parts[0] !== "nodes") return null;
  const section = YAML_SECTION[parts[parts.length - 2]!];
  const name = parts[parts.length - 1]!;
  const node = parts.slice(1, -2).join(".");
  if (!section || !name || !node) return null;
  return { key, node, section, name };
}

/** The questions of the whole pipeline, scripts in topological order, each asked once. */
export function wizardQuestions(factory: TestingFactory): WizardQuestion[] {
  const out: WizardQuestion[] = [];
  const seen = new Set<string>();
  const add = (q: WizardQuestion) => {
    if (seen.has(q.key)) return;
    seen.add(q.key);
    out.push(q);
  };
  for (const script of factory.getScriptsRequiringTesting()) {
    const req = factory.getScriptTestingRequirements(script);
    for (const m of req.missing) {
      const key = parseAnswerKey(m.answerAt);
      if (!key) continue;
      add({ ...key, script, required: true, why: m.message, feeds: feedsOf(factory, key) });
    }
    for (const input of req.inputs) {
      // `node.port` as default with a phantom source means the phantom's output has no data yet.
      if (input.source !== "phantom-upstream" || input.needsUser || !input.defaultValue) continue;
      const at = input.defaultValue.lastIndexOf(".");
      const phantom = input.defaultValue.slice(0, at);
      const port = input.defaultValue.slice(at + 1);
      if (!factory.plan.nodes.some((n) => n.name === phantom && n.kind === "phantom")) continue;
      const key = {
        key: `nodes.${phantom}.outputs.${port}`,
        node: phantom,
        section: "outputs" as const,
        name: port,
      };
      add({
        ...key,
        script,
        required: false,
        why: `optional: without it ${script} gets an empty folder as ${input.name}`,
        feeds: feedsOf(factory, key),
      });
    }
  }
  // Required questions of a phantom first, then its optional ones, in first-asked order.
  return stableGroup(out);
}

function stableGroup(questions: WizardQuestion[]): WizardQuestion[] {
  const order: string[] = [];
  for (const q of questions) if (!order.includes(q.script)) order.push(q.script);
  return order.flatMap((script) => {
    const mine = questions.filter((q) => q.script === script);
    return [...mine.filter((q) => q.required), ...mine.filter((q) => !q.required)];
  });
}

/** The consumer inputs a phantom output or an input answer feeds. */
function feedsOf(factory: TestingFactory, key: AnswerKey): string[] {
  if (key.section === "inputs") return [`${key.node}.${key.name}`];
  if (key.section !== "outputs") return [];
  return factory.plan.wires
    .filter((w) => w.from.node === key.node && w.from.port === key.name)
    .map((w) => `${w.to.node}.${w.to.port}`);
}

/** The answer that asks dagtest to synthesize a phantom's output (the wizard's default). */
export const SYNTHESIZE = "synthesize";

/** One answer as a configuration of its node. */
export function configurationOf(key: AnswerKey, value: string | number | boolean): ScriptConfiguration {
  const path = typeof value === "string" ? value : String(value);
  switch (key.section) {
    case "outputs":
      return { outputs: { [key.name]: path === SYNTHESIZE ? { synthesize: {} } : path } };
    case "inputs":
      return { inputs: { [key.name]: path } };
    case "env":
      return { env: { [key.name]: value } };
    case "jobArgs":
      return { jobArgs: { [key.name]: value } };
  }
}

/** Is this answer a path (checked for existence), or a scalar? */
export function isPathSection(section: AnswerSection): boolean {
  return section === "outputs" || section === "inputs";
}

/**
 * Answers as `answerAt` keys (`nodes.X.outputs.DATA` → value), from the wizard, an answers file or
 * `--set`: each validated on its own at once, then applied to the factory (phantom outputs first,
 * since the scripts they feed are only complete once the data is there).
 */
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import "../../config/eager.js";
import { loadSource } from "../../config/source.js";
import { DagtestError } from "../../errors.js";
import type { SpecSetting } from "../../factory/create.js";
import type { TestingFactory } from "../../factory/factory.js";
import type { ScriptConfiguration } from "../../factory/types.js";
import { type AnswerKey, configurationOf, isPathSection, parseAnswerKey } from "./questions.js";

export type AnswerValue = string | number | boolean;

export interface AnswerProblem {
  readonly key: string;
  readonly message: string;
  readonly hint: string;
}

const KEY_HINT =
  "Write keys as dagtest.yaml paths: nodes.<node>.outputs.<port> (a phantom's data: a path, or `synthesize`), nodes.<node>.inputs.<port>, nodes.<node>.env.<NAME>, nodes.<node>.job_args.<name>, or any other key of dagtest.yaml (run.timeout, nodes.<node>.skip, run.guards.stub_modules, ...).";

/** `--set`/answers-file keys that are not a script's answers: edits of any dagtest.yaml key. */
export function splitSettings(given: ReadonlyMap<string, unknown>): {
  answers: Map<string, AnswerValue>;
  settings: SpecSetting[];
} {
  const answers = new Map<string, AnswerValue>();
  const settings: SpecSetting[] = [];
  for (const [key, value] of given) {
    const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
    if (parseAnswerKey(key) && scalar) answers.set(key, value);
    else settings.push({ key, at: key.split("."), value });
  }
  return { answers, settings };
}

/** A typed path as written into dagtest.yaml: `~` expanded, otherwise as typed. */
export function normaliseAnswer(section: AnswerKey["section"], value: AnswerValue): AnswerValue {
  if (!isPathSection(section) || typeof value !== "string") return value;
  const trimmed = value.trim();
  return trimmed === "~" || trimmed.startsWith("~/") ? path.join(os.homedir(), trimmed.slice(1)) : trimmed;
}

/** Validate one answer against the factory without applying it; null when it would be accepted. */
export function checkAnswer(factory: TestingFactory, key: string, value: AnswerValue): AnswerProblem | null {
  const parsed = parseAnswerKey(key);
  if (!parsed) return { key, message: `${key}: not an answer key.`, hint: KEY_HINT };
  try {
    const issues = factory.validateScriptConfiguration(parsed.node, configurationOf(parsed, value));
    // Other fields of the same script may still be open; only this answer's own field counts here.
    const field = `${parsed.section}.${parsed.name}`;
    const mine = issues.filter((i) => i.field === field || i.field === parsed.section);
    const first = mine[0];
    return first ? { key, message: first.message, hint: first.hint } : null;
  } catch (error) {
    if (error instanceof DagtestError) return { key, message: error.message, hint: error.hint };
    throw error;
  }
}

/** Every problem of a set of answers, each validated alone. */
export function checkAnswers(
  factory: TestingFactory,
  answers: ReadonlyMap<string, AnswerValue>,
): AnswerProblem[] {
  return [...answers].flatMap(([key, value]) => {
    const problem = checkAnswer(factory, key, value);
    return problem ? [problem] : [];
  });
}

/** One DagtestError listing every bad answer with its fix. */
export function answersError(problems: readonly AnswerProblem[]): DagtestError {
  return new DagtestError({
    code: "DAGTEST_INVALID_CONFIGURATION",
    message: `${problems.length} answer(s) rejected:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join("\n")}`,
    hint: problems.map((p) => `${p.key}: ${p.hint}`).join("\n        "),
  });
}

/**
 * Apply checked answers: phantom outputs first, then each script's answers together (a script
 * configuration is accepted only when complete; an incomplete one stays open and is reported as
 * missing). Returns how many answers were applied.
 */
export function applyAnswers(factory: TestingFactory, answers: ReadonlyMap<string, AnswerValue>): number {
  const groups = new Map<string, { node: string; keys: AnswerKey[]; config: MutableConfig }>();
  for (const [key, value] of answers) {
    const parsed = parseAnswerKey(key);
    if (!parsed) continue;
    const group = groups.get(parsed.node) ?? { node: parsed.node, keys: [], config: {} };
    // As the answer was checked: `synthesize` for a phantom's output becomes {synthesize: {}}.
    const one = configurationOf(parsed, value)[parsed.section] as Record<string, unknown>;
    group.config[parsed.section] = { ...group.config[parsed.section], ...one };
    group.keys.push(parsed);
    groups.set(parsed.node, group);
  }
  const ordered = [...groups.values()].sort((a, b) => phantomFirst(factory, a.node, b.node));
  let applied = 0;
  for (const group of ordered) {
    const config = group.config as ScriptConfiguration;
    if (factory.validateScriptConfiguration(group.node, config).length > 0) continue;
    factory.configureScriptTesting(group.node, config);
    applied += group.keys.length;
  }
  return applied;
}

type MutableConfig = { [K in AnswerKey["section"]]?: Record<string, unknown> };

function phantomFirst(factory: TestingFactory, a: string, b: string): number {
  const isPhantom = (n: string) =>
    factory.plan.nodes.some((node) => node.name === n && node.kind === "phantom");
  return Number(isPhantom(b)) - Number(isPhantom(a));
}

/** What is still missing across the pipeline: one entry per dagtest.yaml key. */
export function remainingMissing(
  factory: TestingFactory,
): { key: string; script: string; field: string; message: string }[] {
  const out = new Map<string, { key: string; script: string; field: string; message: string }>();
  for (const script of factory.getPendingScriptConfigurations()) {
    for (const m of factory.getScriptTestingRequirements(script).missing) {
      if (!out.has(m.answerAt))
        out.set(m.answerAt, { key: m.answerAt, script, field: m.field, message: m.message });
    }
  }
  return [...out.values()];
}

/** Flatten `{nodes: {X: {outputs: {DATA: p}}}}` and `{"nodes.X.outputs.DATA": p}` alike; lists stay whole. */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>, file: string): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, file);
    return;
  }
  if (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    Array.isArray(value)
  ) {
    out.set(prefix, value);
    return;
  }
  throw new DagtestError({
    code: "DAGTEST_INVALID_CONFIGURATION",
    message: `${path.basename(file)}: ${prefix || "the top level"}: expected a string, number or boolean, got ${JSON.stringify(value)}.`,
    hint: `An answers file maps keys to values, e.g. "nodes.CradleDataLoading_training.outputs.DATA: data/training/data". ${KEY_HINT}`,
    location: { file },
  });
}

/** Read an answers file (YAML or JSON): a mapping of answer keys, flat or nested. */
export function readAnswersFile(file: string): Map<string, unknown> {
  const source = loadSource(path.resolve(file), "answers file");
  const out = new Map<string, unknown>();
  if (source.data === null || source.data === undefined) return out;
  if (typeof source.data !== "object" || Array.isArray(source.data)) {
    throw new DagtestError({
      code: "DAGTEST_INVALID_CONFIGURATION",
      message: `${path.basename(file)} is not a mapping of answer keys to values.`,
      hint: `Write one "key: value" per line. ${KEY_HINT}`,
      location: { file: path.resolve(file) },
    });
  }
  flatten(source.data, "", out, path.resolve(file));
  return out;
}

/**
 * `--set KEY=VALUE`: the value is read as YAML (so `0.8` is a number and `[boto3]` a list), a
 * path stays a string.
 */
export function parseSetFlag(text: string): [string, unknown] {
  const at = text.indexOf("=");
  if (at <= 0) {
    throw new DagtestError({
      code: "DAGTEST_USAGE",
      message: `--set ${text}: expected KEY=VALUE.`,
      hint: `E.g. --set nodes.CradleDataLoading_training.outputs.DATA=data/training/data. ${KEY_HINT}`,
    });
  }
  const key = text.slice(0, at).trim();
  const raw = text.slice(at + 1);
  const parsedKey = parseAnswerKey(key);
  if (parsedKey && isPathSection(parsedKey.section)) return [key, raw];
  const value: unknown = raw === "" ? "" : parse(raw);
  if (!parsedKey) return [key, value];
  return [key, typeof value === "number" || typeof value === "boolean" ? value : raw];
}

/**
 * Env vars and job args for one script, by the production rules (cursus-formats §4.5), not by
 * upper-casing every config field: interface defaults, then per-step aliases, then the
 * `NAME.lower()` convention for declared names, then `config.env`, then engine guards, then the
 * user's values from dagtest.yaml.
 */
import type { NodeSettings } from "../config/spec-schema.js";
import type { StepInterface } from "../model/interface.js";
import type { EnvRequirement, JobArgRequirement, ValueSource } from "../model/plan.js";
import { isObject } from "../util/guards.js";

type Config = Readonly<Record<string, unknown>>;

/**
 * Config fields that feed an env var under another name (the bespoke collectors of §4.2), in
 * the order they are tried. Steps whose config spells the label `label_field` try it first.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  LABEL_FIELD: ["label_name", "label_field"],
  ID_FIELD: ["id_name", "id_field"],
  BUCKET_NAME: ["bucket"],
  EVAL_METRIC_CHOICES: ["eval_metric_choices"],
  CONTENT_TYPES: ["source_model_inference_content_types"],
  SCORE_FIELDS: ["score_fields"],
  TASK_LABEL_NAMES: ["task_label_names"],
};
const LABEL_FIELD_FIRST = new Set([
  "ModelCalibration",
  "MissingValueImputation",
  "PercentileModelCalibration",
]);

/** Values the engine decides for the variables a script declares, whatever the config says. */
const ENGINE_VALUES: Readonly<Record<string, { value: string | null; why: string }>> = {
  WORKING_DIRECTORY: { value: null, why: "a fresh folder per node and run" },
};

/**
 * Variables that would make a script reach a network or a private package index, forced off for
 * every script, declared or not (real cursus scripts read USE_SECURE_PYPI at import time and
 * default it to "true"). Only the user's `nodes.<n>.env` can turn one back on.
 */
export const OFFLINE_ENV: Readonly<Record<string, { value: string; why: string }>> = {
  USE_SECURE_PYPI: { value: "false", why: "offline: never reach a private package index" },
  AWS_EC2_METADATA_DISABLED: {
    value: "true",
    why: "offline: never ask a cloud metadata service for credentials",
  },
  PIP_NO_INDEX: { value: "1", why: "offline: pip never reaches a package index" },
  HF_HUB_OFFLINE: { value: "1", why: "offline: never download from a model hub" },
  HF_DATASETS_OFFLINE: { value: "1", why: "offline: never download a data set" },
  TRANSFORMERS_OFFLINE: { value: "1", why: "offline: never download model weights" },
  WANDB_MODE: { value: "disabled", why: "offline: never report to an experiment tracker" },
};

/** How cursus formats a config value as an env string; null means "omit". */
export function formatEnvValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

interface Slot {
  value: string | null;
  source: ValueSource;
}

/** A value given for one variable by the node's config or dagtest.yaml, in the order applied. */
export type GivenEnv = readonly (readonly [name: string, slot: Slot])[];

/** Engine sources are the same for every node: one object each. */
const ENGINE_SOURCES: ReadonlyMap<string, ValueSource> = new Map(
  [...Object.entries(ENGINE_VALUES), ...Object.entries(OFFLINE_ENV)].map(([name, rule]) => [
    name,
    { kind: "engine", why: rule.why } as const,
  ]),
);
const USER_SOURCE: ValueSource = { kind: "user" };
const CONFIG_ENV_SOURCE: ValueSource = { kind: "config-env" };

export function deriveEnv(
  iface: StepInterface,
  config: Config | undefined,
  settings: NodeSettings,
): EnvRequirement[] {
  return envFromGiven(iface, givenEnv(iface, config, settings));
}

/** The variables the interface declares: required ones first, then the optional ones. */
function declaredEnv(iface: StepInterface): string[] {
  return [
    ...iface.envRequired,
    ...Object.keys(iface.envOptional).filter((n) => !iface.envRequired.includes(n)),
  ];
}

/**
 * What the node's config (declared names, `config.env`) and the user's `nodes.<n>.env` give, in
 * the order they override each other. Everything else in a node's env follows from its interface.
 */
export function givenEnv(iface: StepInterface, config: Config | undefined, settings: NodeSettings): GivenEnv {
  const given: [string, Slot][] = [];
  if (config) {
    for (const lookup of configLookups(iface)) {
      const found = fromConfig(lookup, config);
      if (found) given.push([lookup.name, found]);
    }
    if (isObject(config.env)) {
      for (const [name, value] of Object.entries(config.env)) {
        const text = formatEnvValue(value);
        if (text !== null) given.push([name, { value: text, source: CONFIG_ENV_SOURCE }]);
      }
    }
  }
  if (settings.env) {
    for (const [name, value] of Object.entries(settings.env)) {
      given.push([name, { value: String(value), source: USER_SOURCE }]);
    }
  }
  return given;
}

/**
 * Text that determines `givenEnv` for one interface (its lookups are fixed), built without the
 * slots: many nodes share an env, and the memo that finds it is keyed by this. Keep it in step
 * with `givenEnv` (tests/integration/plan-large.test.ts compares every node with `deriveEnv`).
 */
export function givenEnvKey(
  iface: StepInterface,
  config: Config | undefined,
  settings: NodeSettings,
): string {
  let key = "";
  if (config) {
    const hyper = isObject(config.hyperparameters) ? config.hyperparameters : null;
    for (const { fields, hyperparameter } of configLookups(iface)) {
      let part = "-";
      for (let i = 0; i < fields.length; i++) {
        const text = formatEnvValue(config[fields[i]!]);
        if (text !== null) {
          part = `${i}${JSON.stringify(text)}`;
          break;
        }
      }
      if (part === "-" && hyper) {
        const text = formatEnvValue(hyper[hyperparameter]);
        if (text !== null) part = `h${JSON.stringify(text)}`;
      }
      key += `${part},`;
    }
    if (isObject(config.env))
      key += JSON.stringify(Object.entries(config.env).map(([name, value]) => [name, formatEnvValue(value)]));
  }
  key += "|";
  if (settings.env)
    key += JSON.stringify(Object.entries(settings.env).map(([name, value]) => [name, String(value)]));
  return key;
}

/** Where the config may give a declared variable: fields in the order tried, then hyperparameters. */
interface ConfigLookup {
  readonly name: string;
  readonly fields: readonly string[];
  readonly hyperparameter: string;
}

const lookups = new WeakMap<StepInterface, readonly ConfigLookup[]>();

/** The lookups of an interface's declared variables, worked out once per interface. */
function configLookups(iface: StepInterface): readonly ConfigLookup[] {
  let list = lookups.get(iface);
  if (!list) {
    list = declaredEnv(iface).map((name) => {
      let fields = ALIASES[name] ?? [];
      if (name === "LABEL_FIELD" && LABEL_FIELD_FIRST.has(iface.stepType)) fields = [...fields].reverse();
      const lower = name.toLowerCase();
      return { name, fields: [...fields, lower], hyperparameter: lower };
    });
    lookups.set(iface, list);
  }
  return list;
}

/** The env of a script from its interface and what its config and the user give. */
export function envFromGiven(iface: StepInterface, given: GivenEnv): EnvRequirement[] {
  const declared = declaredEnv(iface);
  const slots = new Map<string, Slot>();
  const defaultSource: ValueSource = { kind: "interface-default", file: iface.file };
  for (const [name, value] of Object.entries(iface.envOptional)) {
    slots.set(name, { value, source: defaultSource });
  }
  const user = given.filter(([, slot]) => slot.source.kind === "user");
  for (const [name, slot] of given) if (slot.source.kind !== "user") slots.set(name, slot);
  for (const [name, rule] of Object.entries(ENGINE_VALUES)) {
    if (slots.has(name) || declared.includes(name))
      slots.set(name, { value: rule.value, source: ENGINE_SOURCES.get(name)! });
  }
  for (const [name, rule] of Object.entries(OFFLINE_ENV))
    slots.set(name, { value: rule.value, source: ENGINE_SOURCES.get(name)! });
  for (const [name, slot] of user) slots.set(name, slot);
  const names = [...declared, ...[...slots.keys()].filter((n) => !declared.includes(n)).sort()];
  return names.map((name) => {
    const slot = slots.get(name);
    return {
      name,
      required: iface.envRequired.includes(name),
      declared: declared.includes(name),
      value: slot?.value ?? null,
      source: slot?.source ?? null,
    };
  });
}

function fromConfig(lookup: ConfigLookup, config: Config): Slot | null {
  for (const field of lookup.fields) {
    const text = formatEnvValue(config[field]);
    if (text !== null) return { value: text, source: { kind: "config", field } };
  }
  const hyper = config.hyperparameters;
  if (isObject(hyper)) {
    const text = formatEnvValue(hyper[lookup.hyperparameter]);
    if (text !== null)
      return { value: text, source: { kind: "config", field: `hyperparameters.${lookup.hyperparameter}` } };
  }
  return null;
}

/** `--job_type` → `job_type`, `--batch-size` → `batch_size` (argparse's dest). */
export function flagToAttr(flag: string): string {
  return flag.replace(/^-+/, "").replace(/-/g, "_");
}

/**
 * Job args from the interface's `job_arguments` (flag ← config field); `job_type` falls back to
 * the node-name suffix; user values (by attribute or flag) win.
 */
export function deriveJobArgs(
  iface: StepInterface,
  config: Config | undefined,
  jobType: string | null,
  jobTypeFromSuffix: boolean,
  settings: NodeSettings,
): JobArgRequirement[] {
  const args = new Map<string, JobArgRequirement>();
  for (const { flag, source } of iface.jobArguments) {
    const attr = flagToAttr(flag);
    const text = formatEnvValue(config?.[source]);
    if (text !== null) args.set(attr, { flag, attr, value: text, source: { kind: "config", field: source } });
    else if (source === "job_type" && jobType) {
      const origin: ValueSource = jobTypeFromSuffix
        ? { kind: "node-suffix" }
        : { kind: "config", field: "job_type" };
      args.set(attr, { flag, attr, value: jobType, source: origin });
    } else args.set(attr, { flag, attr, value: null, source: null });
  }
  for (const [key, value] of Object.entries(settings.job_args ?? {})) {
    const attr = flagToAttr(key);
    const flag = args.get(attr)?.flag ?? (key.startsWith("-") ? key : `--${attr}`);
    args.set(attr, { flag, attr, value: value === null ? null : String(value), source: { kind: "user" } });
  }
  return [...args.values()];
}

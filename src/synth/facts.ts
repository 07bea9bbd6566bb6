/**
 * What the project says about the columns downstream scripts select: the label, the id, numeric
 * and categorical field lists, the columns that must exist. Read from every config entry, the env
 * the scripts will get, and the hyperparameter files; each fact keeps where it came from.
 */
import type { SynthColumnKind } from "../model/synth.js";
import { isObject } from "../util/guards.js";

/** One node's effective config (`{...shared, ...specific}`). */
export interface ConfigEntryView {
  readonly key: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface HyperparameterFile {
  /** Shown in sources, e.g. `dockers/hyperparams/hyperparameters.json`. */
  readonly file: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The env a script node will get, as planned (config aliases and the user's overrides applied). */
export interface EnvView {
  readonly node: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

export interface FieldFacts {
  readonly label: Sourced<string> | null;
  readonly id: Sourced<string> | null;
  readonly classes: Sourced<number[]> | null;
  /** Column → kind named by a field list. */
  readonly kinds: ReadonlyMap<string, Sourced<SynthColumnKind>>;
  /** Columns some script selects, in first-seen order. */
  readonly required: readonly Sourced<string>[];
}

export interface FactInputs {
  readonly entries: readonly ConfigEntryView[];
  readonly hyperparameters: readonly HyperparameterFile[];
  readonly envs: readonly EnvView[];
}

/** Gather the field facts; the first source of a fact wins (env, then hyperparameters, then config). */
export function fieldFacts(inputs: FactInputs): FieldFacts {
  const kinds = new Map<string, Sourced<SynthColumnKind>>();
  const required = new Map<string, Sourced<string>>();
  const need = (name: string, source: string) => {
    if (name && !required.has(name)) required.set(name, { value: name, source });
  };
  const kind = (name: string, value: SynthColumnKind, source: string) => {
    if (!name) return;
    if (!kinds.has(name)) kinds.set(name, { value, source });
    need(name, source);
  };
  const lists: [string, Readonly<Record<string, unknown>>][] = [
    ...inputs.hyperparameters.map((h) => [h.file, h.data] as [string, Readonly<Record<string, unknown>>]),
    ...inputs.entries.map(
      (e) => [`config ${e.key}`, e.fields] as [string, Readonly<Record<string, unknown>>],
    ),
  ];
  let label = firstEnv(inputs.envs, "LABEL_FIELD");
  let id = firstEnv(inputs.envs, "ID_FIELD");
  let classes: Sourced<number[]> | null = null;
  for (const { node, env } of inputs.envs) {
    for (const name of splitList(env.CAT_FIELD_LIST)) kind(name, "categorical", `CAT_FIELD_LIST of ${node}`);
  }
  for (const [where, fields] of lists) {
    for (const name of strings(fields.cat_field_list)) kind(name, "categorical", `${where} cat_field_list`);
    for (const name of strings(fields.tab_field_list)) kind(name, "numeric", `${where} tab_field_list`);
    for (const [name, type] of inferenceVariables(fields.source_model_inference_input_variable_list)) {
      kind(
        name,
        type === "NUMERIC" ? "numeric" : "categorical",
        `${where} source_model_inference_input_variable_list (${type})`,
      );
    }
    for (const name of strings(fields.full_field_list)) need(name, `${where} full_field_list`);
    for (const field of ["label_name", "label_field"]) {
      const value = fields[field];
      if (!label && typeof value === "string" && value) label = { value, source: `${where} ${field}` };
    }
    if (!id && typeof fields.id_name === "string" && fields.id_name)
      id = { value: fields.id_name, source: `${where} id_name` };
    const cats = fields.multiclass_categories;
    if (!classes && Array.isArray(cats) && cats.length >= 2 && cats.every((c) => Number.isInteger(c)))
      classes = { value: cats as number[], source: `${where} multiclass_categories` };
  }
  if (label) need(label.value, label.source);
  if (id) need(id.value, id.source);
  return { label, id, classes, kinds, required: [...required.values()] };
}

function firstEnv(envs: readonly EnvView[], name: string): Sourced<string> | null {
  for (const { node, env } of envs) {
    const value = env[name];
    if (value) return { value, source: `${name} of ${node}` };
  }
  return null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Registration's `[[name, "NUMERIC"|"TEXT"], ...]` or `{name: type}`. */
function inferenceVariables(value: unknown): [string, string][] {
  if (Array.isArray(value)) {
    return value.flatMap((pair) =>
      Array.isArray(pair) && typeof pair[0] === "string" && typeof pair[1] === "string"
        ? [[pair[0], pair[1].toUpperCase()] as [string, string]]
        : [],
    );
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([name, type]) =>
      typeof type === "string" ? [[name, type.toUpperCase()] as [string, string]] : [],
    );
  }
  return [];
}

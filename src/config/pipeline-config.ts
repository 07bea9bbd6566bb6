/**
 * Loading a cursus pipeline config (`configuration.shared/specific` + `metadata.config_types`, or
 * the unwrapped `shared/specific` form) and matching nodes to entries: by exact key, then by
 * `config_types`; anything else is an explicit error that names the candidates, never a guess.
 */
import { DagtestError } from "../errors.js";
import type { ConfigRule, PipelineConfig } from "../model/config.js";
import { isObject } from "../util/guards.js";
import { canonicalKey, closestNames } from "../util/suggest.js";
import { loadSource } from "./source.js";

export function loadPipelineConfig(file: string): PipelineConfig {
  const doc = loadSource(file, "pipeline config");
  const top = doc.data;
  const invalid = (message: string, at: string[]): never => {
    throw new DagtestError({
      code: "DAGTEST_CONFIG_INVALID",
      message,
      hint: 'A cursus config looks like {"configuration": {"shared": {...}, "specific": {"<node>": {...}}}, "metadata": {"config_types": {...}}}.',
      location: doc.locate(at),
    });
  };
  if (!isObject(top)) return invalid("The pipeline config must be a JSON object.", []);
  const body = isObject(top.configuration) ? top.configuration : top;
  const base = isObject(top.configuration) ? ["configuration"] : [];
  if (!("shared" in body) && !("specific" in body)) {
    invalid(
      "The pipeline config has no `configuration.shared`/`specific` (nor top-level `shared`/`specific`).",
      base,
    );
  }
  const shared = body.shared ?? {};
  const specific = body.specific ?? {};
  if (!isObject(shared)) invalid("`shared` must be an object of fields.", [...base, "shared"]);
  if (!isObject(specific)) invalid("`specific` must be an object keyed by step name.", [...base, "specific"]);
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(specific as Record<string, unknown>)) {
    if (!isObject(value))
      invalid(`The config entry "${key}" must be an object of fields.`, [...base, "specific", key]);
    entries[key] = unwrapTypeInfo(value) as Record<string, unknown>;
  }
  const metadata = isObject(top.metadata) ? top.metadata : {};
  const configTypes: Record<string, string> = {};
  if (isObject(metadata.config_types)) {
    for (const [key, value] of Object.entries(metadata.config_types)) {
      if (typeof value === "string") configTypes[key] = value;
    }
  }
  return { file, shared: unwrapTypeInfo(shared) as Record<string, unknown>, specific: entries, configTypes };
}

/** Replace every `{"__type_info__": ..., "value": v}` wrapper by `v`, recursively (cursus serializer). */
export function unwrapTypeInfo(value: unknown): unknown {
  // Most configs have no wrapper at all: the parsed value is then used as it is, not copied.
  return needsUnwrap(value) ? unwrapped(value) : value;
}

/** Is there a wrapper inside (or a `__proto__` key, which copying drops as it always did)? */
function needsUnwrap(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsUnwrap);
  if (!isObject(value)) return false;
  if ("__type_info__" in value && "value" in value) return true;
  for (const key in value) {
    if (key === "__proto__" || needsUnwrap(value[key])) return true;
  }
  return false;
}

function unwrapped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapped);
  if (!isObject(value)) return value;
  if ("__type_info__" in value && "value" in value) return unwrapped(value.value);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = unwrapped(inner);
  return out;
}

export type ConfigMatch =
  | {
      readonly ok: true;
      readonly key: string;
      readonly rule: ConfigRule;
      readonly effective: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly hint: string;
      readonly candidates: readonly string[];
    };

/** Find a node's config entry and build its effective config (specific wins over shared). */
export function matchConfig(config: PipelineConfig, node: string): ConfigMatch {
  const found = findEntry(config, node);
  if (!found.ok) return found;
  const entry = config.specific[found.key]!;
  return { ok: true, key: found.key, rule: found.rule, effective: { ...config.shared, ...entry } };
}

type EntryMatch = { ok: true; key: string; rule: ConfigRule } | Extract<ConfigMatch, { ok: false }>;

/** Entry keys by `__model_type__`, built once per config: looking a class up per node stays linear. */
const byClass = new WeakMap<PipelineConfig, Map<unknown, string[]>>();

function entriesOfClass(config: PipelineConfig, wanted: string): string[] {
  let index = byClass.get(config);
  if (!index) {
    index = new Map();
    for (const [key, entry] of Object.entries(config.specific)) {
      const list = index.get(entry.__model_type__) ?? [];
      list.push(key);
      index.set(entry.__model_type__, list);
    }
    byClass.set(config, index);
  }
  return index.get(wanted) ?? [];
}

function findEntry(config: PipelineConfig, node: string): EntryMatch {
  if (Object.hasOwn(config.specific, node)) return { ok: true, key: node, rule: "exact-key" };
  const wanted = config.configTypes[node];
  if (wanted) {
    const suffix = node.includes("_") ? node.slice(node.lastIndexOf("_") + 1).toLowerCase() : null;
    const sameClass = entriesOfClass(config, wanted);
    const fitting = sameClass.filter((key) => {
      const jobType = config.specific[key]!.job_type;
      return suffix === null || (typeof jobType === "string" && jobType.toLowerCase() === suffix);
    });
    if (fitting.length === 1) return { ok: true, key: fitting[0]!, rule: "config-types" };
    if (fitting.length > 1) {
      return {
        ok: false,
        message: `metadata.config_types maps "${node}" to ${wanted}, and ${fitting.length} entries have that class: ${fitting.join(", ")}.`,
        hint: `Add a "${node}" entry to configuration.specific, or map the node explicitly in dagtest.yaml (nodes.${node}.config: <entry>).`,
        candidates: fitting,
      };
    }
  }
  const candidates = nearEntries(node, Object.keys(config.specific));
  return {
    ok: false,
    message: `The pipeline config has no entry for node "${node}"${candidates.length ? ` (similar entries: ${candidates.join(", ")})` : ""}.`,
    hint: `Add "${node}" to configuration.specific, or point the node at an entry in dagtest.yaml (nodes.${node}.config: <entry>).`,
    candidates,
  };
}

function nearEntries(node: string, keys: readonly string[]): string[] {
  const base = canonicalKey(node.split("_")[0] ?? node);
  const sameStep = keys.filter((key) => canonicalKey(key.split("_")[0] ?? key) === base);
  return [...new Set([...sameStep, ...closestNames(node, keys)])].slice(0, 5);
}

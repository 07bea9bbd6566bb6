/**
 * Turning a raw interface YAML into a typed `StepInterface` for one job type: the matching
 * `variants.<job_type>` block is deep-merged onto the base (nested objects key by key, scalars
 * and lists replaced), then contract and spec are read together.
 */
import {
  asDependencyType,
  type InterfaceInput,
  type InterfaceOutput,
  type JobArgumentDecl,
  type PortDataType,
  type StepInterface,
} from "../model/interface.js";
import { isObject, stringList } from "../util/guards.js";
import type { RawInterface } from "./interfaces.js";

type Obj = Record<string, unknown>;

/** Deep-merge `over` onto `base`: objects merge key by key, anything else replaces. */
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** The merged document for a job type, and which variant (if any) was applied. */
export function mergeVariant(
  raw: RawInterface,
  jobType: string | null,
): { doc: Obj; variant: string | null } {
  const variants = isObject(raw.doc.variants) ? raw.doc.variants : {};
  const key = jobType
    ? Object.keys(variants).find((k) => k.toLowerCase() === jobType.toLowerCase())
    : undefined;
  const block = key === undefined ? undefined : variants[key];
  if (key === undefined || !isObject(block)) return { doc: raw.doc, variant: null };
  let doc: Obj = raw.doc;
  for (const section of ["contract", "spec", "patterns"]) {
    const over = block[section];
    if (isObject(over))
      doc = { ...doc, [section]: deepMerge(isObject(doc[section]) ? doc[section] : {}, over) };
  }
  return { doc, variant: key };
}

const DATA_TYPES = new Set<PortDataType>(["S3Uri", "String", "Integer", "Float", "Boolean"]);

/** Resolve a raw interface for a node's job type. */
export function resolveInterface(raw: RawInterface, jobType: string | null): StepInterface {
  const { doc, variant } = mergeVariant(raw, jobType);
  const registry = obj(doc.registry);
  const contract = obj(doc.contract);
  const spec = obj(doc.spec);
  const envVars = obj(contract.env_vars);
  const requires = registry.requires;
  return {
    stepType: raw.stepType,
    file: raw.file,
    variant,
    nodeType: str(doc.node_type),
    sagemakerStepType: str(registry.sagemaker_step_type) ?? "Processing",
    registryRequires:
      typeof requires === "string" && requires !== "none" && requires !== "" ? requires : null,
    configClass: str(registry.config_class) ?? `${raw.stepType}Config`,
    computeKind: str(obj(doc.compute).kind),
    entryPoint: str(contract.entry_point),
    inputs: readInputs(contract, obj(spec.dependencies), str(registry.sagemaker_step_type)),
    outputs: readOutputs(obj(contract.outputs), obj(spec.outputs)),
    jobArguments: readJobArguments(contract.job_arguments),
    envRequired: stringList(envVars.required),
    envOptional: stringMap(envVars.optional),
    frameworkRequirements: stringMap(contract.framework_requirements),
    runtimeRequires: stringList(contract.runtime_requires),
    needsSourceDir: contract.source_dir === true,
    sink: contract.sink === true,
    description: str(contract.description) ?? str(registry.description) ?? "",
  };
}

function readInputs(contract: Obj, dependencies: Obj, sagemakerType: string | null): InterfaceInput[] {
  const inputs = obj(contract.inputs);
  const overrides = stringMap(contract.input_source_overrides);
  const skipped = new Set(stringList(contract.skip_inputs));
  return Object.entries(inputs).map(([name, value]) => {
    const declared = obj(value);
    const dep = obj(dependencies[name]);
    const containerPath = str(declared.path);
    const required =
      typeof dep.required === "boolean"
        ? dep.required
        : typeof declared.required === "boolean"
          ? declared.required
          : true;
    return {
      name,
      containerPath,
      required,
      channels: channelsFor(name, declared, containerPath, sagemakerType),
      type: asDependencyType(dep.type),
      dataType: dataType(dep.data_type),
      compatibleSources: stringList(dep.compatible_sources),
      semanticKeywords: stringList(dep.semantic_keywords),
      configSource: overrides[name] ?? null,
      skipped: skipped.has(name),
    };
  });
}

/**
 * Training inputs fan out into channel sub-folders: declared `channels` first; for the
 * conventional `input_path` mounted at the data root, train/val/test (cursus channels_for).
 */
function channelsFor(
  name: string,
  declared: Obj,
  containerPath: string | null,
  sagemakerType: string | null,
): string[] {
  const channels = stringList(declared.channels);
  if (channels.length > 0) return channels;
  const atDataRoot = containerPath?.replace(/\/+$/, "") === "/opt/ml/input/data";
  if (sagemakerType === "Training" && name === "input_path" && atDataRoot) return ["train", "val", "test"];
  return [];
}

function readOutputs(outputs: Obj, specOutputs: Obj): InterfaceOutput[] {
  return Object.entries(outputs).map(([name, value]) => {
    const out = obj(specOutputs[name]);
    return {
      name,
      containerPath: str(obj(value).path),
      type: asDependencyType(out.type),
      dataType: dataType(out.data_type),
      aliases: stringList(out.aliases),
      semanticKeywords: stringList(out.semantic_keywords),
    };
  });
}

function readJobArguments(value: unknown): JobArgumentDecl[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const entry = obj(item);
    const flag = str(entry.flag);
    const source = str(entry.source);
    return flag && source ? [{ flag, source }] : [];
  });
}

function obj(value: unknown): Obj {
  return isObject(value) ? value : {};
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj(value))) {
    if (v === null || v === undefined) continue;
    out[key] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

function dataType(value: unknown): PortDataType {
  return DATA_TYPES.has(value as PortDataType) ? (value as PortDataType) : "S3Uri";
}

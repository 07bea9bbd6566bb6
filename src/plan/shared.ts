/**
 * Parts of a plan node that many nodes have in common, built once and shared. A large DAG has
 * thousands of nodes of a handful of step types: their env, job args, limits and declared outputs
 * are equal whenever what they are derived from is equal, so nodes share one value instead of each
 * holding a copy (a 10,000-node plan was mostly copies, and its time mostly collecting them). The
 * content of the plan is exactly what the per-node derivation gives.
 *
 * A plan is read-only data (its types say so): nothing may change a shared part in place. The
 * values are not frozen because V8 iterates a frozen array several times slower.
 */
import type { ExecutionSettings, NodeSettings } from "../config/spec-schema.js";
import type { InterfaceOutput, StepInterface } from "../model/interface.js";
import type { EnvRequirement, JobArgRequirement, NodeLimits, OutputRequirement } from "../model/plan.js";
import { bindPort } from "./binding.js";
import { deriveJobArgs, envFromGiven, formatEnvValue, givenEnv, givenEnvKey } from "./env.js";
import { placementOf } from "./execution.js";

type Config = Readonly<Record<string, unknown>>;

/** `memo.get(key)`, built on first use. */
function shared<K, V>(memo: Map<K, V>, key: K, build: () => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = build();
    memo.set(key, value);
  }
  return value;
}

/** A per-interface memo: weak, so nothing outlives the project the interface came from. */
function perInterface<V>(table: WeakMap<object, Map<string, V>>, owner: object): Map<string, V> {
  let memo = table.get(owner);
  if (!memo) {
    memo = new Map();
    table.set(owner, memo);
  }
  return memo;
}

const envs = new WeakMap<object, Map<string, readonly EnvRequirement[]>>();

/** The node's env (`deriveEnv`), shared by every node of the interface given the same values. */
export function sharedEnv(
  iface: StepInterface,
  config: Config | undefined,
  settings: NodeSettings,
  seed: number | undefined,
): readonly EnvRequirement[] {
  const key = `${seed ?? ""}|${givenEnvKey(iface, config, settings)}`;
  return shared(perInterface(envs, iface), key, () =>
    withSeed(envFromGiven(iface, givenEnv(iface, config, settings)), seed),
  );
}

/** `run.seed` as DAGTEST_SEED, unless the user's `nodes.<n>.env` sets it. */
export function withSeed(env: EnvRequirement[], seed: number | undefined): EnvRequirement[] {
  if (seed === undefined || env.some((e) => e.name === "DAGTEST_SEED")) return env;
  const why = "run.seed: the runner seeds random, numpy and the ML libraries the script imported before main";
  return [
    ...env,
    {
      name: "DAGTEST_SEED",
      required: false,
      declared: false,
      value: String(seed),
      source: { kind: "engine", why },
    },
  ];
}

const jobArgLists = new WeakMap<object, Map<string, readonly JobArgRequirement[]>>();

/** The node's job args (`deriveJobArgs`), shared by nodes of the interface with equal values. */
export function sharedJobArgs(
  iface: StepInterface,
  config: Config | undefined,
  jobType: string | null,
  jobTypeFromSuffix: boolean,
  settings: NodeSettings,
): readonly JobArgRequirement[] {
  // Everything deriveJobArgs reads, as text: the config values of the declared sources, the job
  // type and where it came from, the user's values.
  let key = `${JSON.stringify(jobType)}${jobTypeFromSuffix}`;
  for (const { source } of iface.jobArguments) key += `|${JSON.stringify(formatEnvValue(config?.[source]))}`;
  if (settings.job_args) {
    const given = Object.entries(settings.job_args).map(([k, v]) => [k, v === null ? null : String(v)]);
    key += `|${JSON.stringify(given)}`;
  }
  return shared(perInterface(jobArgLists, iface), key, () =>
    deriveJobArgs(iface, config, jobType, jobTypeFromSuffix, settings),
  );
}

const limitTable = new WeakMap<NodeSettings, WeakMap<ExecutionSettings, NodeLimits>>();

/** Timeout, memory, isolation and placement: one record per (node settings, run settings). */
export function sharedLimits(settings: NodeSettings, execution: ExecutionSettings): NodeLimits {
  let byRun = limitTable.get(settings);
  if (!byRun) {
    byRun = new WeakMap();
    limitTable.set(settings, byRun);
  }
  let limits = byRun.get(execution);
  if (!limits) {
    limits = {
      timeoutMs: Math.round((settings.timeout ?? execution.timeout) * 1000),
      memoryMb: settings.memory_mb ?? execution.memory_mb ?? null,
      isolation: settings.isolation ?? execution.isolation,
      ...placementOf(settings),
    };
    byRun.set(execution, limits);
  }
  return limits;
}

const outputLists = new WeakMap<object, WeakMap<object, readonly OutputRequirement[]>>();
const NO_MAIN_PATHS: Readonly<Record<string, string>> = Object.freeze({});

/** A node's declared outputs with their bindings: one list per (interface, script's `__main__`). */
export function sharedOutputs(
  outputs: readonly InterfaceOutput[],
  mainOutputs: Readonly<Record<string, string>> | undefined,
): readonly OutputRequirement[] {
  let byMain = outputLists.get(outputs);
  if (!byMain) {
    byMain = new WeakMap();
    outputLists.set(outputs, byMain);
  }
  const main = mainOutputs ?? NO_MAIN_PATHS;
  let list = byMain.get(main);
  if (!list) {
    list = outputs.map((o) => ({
      name: o.name,
      containerPath: o.containerPath,
      type: o.type,
      dataType: o.dataType,
      aliases: o.aliases,
      binding: bindPort(o.containerPath, main[o.name]),
    }));
    byMain.set(main, list);
  }
  return list;
}

const interfaceRefs = new WeakMap<
  StepInterface,
  { readonly file: string; readonly variant: string | null }
>();

/** Which interface file (and variant) a node uses: one record per interface. */
export function sharedInterfaceRef(iface: StepInterface): {
  readonly file: string;
  readonly variant: string | null;
} {
  let ref = interfaceRefs.get(iface);
  if (!ref) {
    ref = Object.freeze({ file: iface.file, variant: iface.variant });
    interfaceRefs.set(iface, ref);
  }
  return ref;
}

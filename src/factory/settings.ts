/** Pure edits of the per-node settings of dagtest.yaml, used to try a configuration before applying it. */
import { type NodeSettings, synthesizeSettings } from "../config/spec-schema.js";
import type { PhantomSynthesis, ScriptConfiguration } from "./types.js";
import { isSynthesis } from "./validate.js";

type Settings = Record<string, NodeSettings>;

/** `settings` with `config` merged into the node's entry (the file is not touched). */
export function settingsWith(
  settings: Readonly<Settings>,
  node: string,
  config: ScriptConfiguration,
): Settings {
  const next = structuredClone(settings) as Settings;
  const current: NodeSettings = next[node] ?? {};
  next[node] = {
    ...current,
    inputs: { ...(current.inputs ?? {}), ...(config.inputs ?? {}) },
    outputs: { ...(current.outputs ?? {}), ...outputSettings(config.outputs) },
    env: { ...(current.env ?? {}), ...(config.env ?? {}) },
    job_args: { ...(current.job_args ?? {}), ...(config.jobArgs ?? {}) },
  };
  return next;
}

/** `settings` without the node's own values for these env vars and job args. */
export function settingsWithout(
  settings: Readonly<Settings>,
  node: string,
  env: readonly string[],
  jobArgs: readonly string[],
): Settings {
  const next = structuredClone(settings) as Settings;
  const mine = next[node] ?? {};
  for (const name of env) if (mine.env) delete mine.env[name];
  for (const name of jobArgs) if (mine.job_args) delete mine.job_args[name];
  return next;
}

/** Outputs as dagtest.yaml holds them: a path, or `{synthesize}` with its defaults filled in. */
export function outputSettings(
  outputs: Readonly<Record<string, string | PhantomSynthesis>> | undefined,
): NonNullable<NodeSettings["outputs"]> {
  const out: NonNullable<NodeSettings["outputs"]> = {};
  for (const [port, value] of Object.entries(outputs ?? {}))
    out[port] = isSynthesis(value) ? { synthesize: synthesizeSettings.parse(value.synthesize) } : value;
  return out;
}

/** Pure edits of the per-node settings of dagtest.yaml, used to try a configuration before applying it. */
import type { NodeSettings } from "../config/spec-schema.js";
import type { ScriptConfiguration } from "./types.js";

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
    outputs: { ...(current.outputs ?? {}), ...(config.outputs ?? {}) },
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

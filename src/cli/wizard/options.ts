/** Command-line options of `dagtest init` and `dagtest status` as `createTestingFactory` options. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { SPEC_FILE_NAME } from "../../config/spec.js";
import { DagtestError } from "../../errors.js";
import type { FactoryOptions } from "../../factory/create.js";
import type { ProjectOptions } from "../commands/plan.js";

export interface FactoryCliOptions extends ProjectOptions {
  /** `PREFIX=DIR` remaps of config source dirs (dagtest.yaml `paths:`). */
  path?: string[];
}

/**
 * PATH is the folder for dagtest.yaml (or the file itself). Every path given on the command line is
 * relative to the current folder; the factory writes them relative to dagtest.yaml.
 */
export function factoryOptions(target: string | undefined, options: FactoryCliOptions): FactoryOptions {
  const abs = (p: string) => path.resolve(p);
  const given = abs(target ?? ".");
  const isFile = /\.ya?ml$/.test(given) && !(existsSync(given) && statSync(given).isDirectory());
  const project = isFile ? path.dirname(given) : given;
  return {
    project,
    spec: isFile ? path.basename(given) : SPEC_FILE_NAME,
    ...(options.dag ? { dag: abs(options.dag) } : {}),
    ...(options.config ? { config: abs(options.config) } : {}),
    ...(options.interfaces ? { interfaces: options.interfaces.map(abs) } : {}),
    ...(options.scripts ? { scripts: options.scripts.map(abs) } : {}),
    ...(options.projectRoot ? { projectRoot: abs(options.projectRoot) } : {}),
    ...(options.python
      ? { python: options.python.includes("/") ? abs(options.python) : options.python }
      : {}),
    ...(options.path ? { paths: parsePaths(options.path) } : {}),
  };
}

function parsePaths(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1) {
      throw new DagtestError({
        code: "DAGTEST_USAGE",
        message: `--path ${pair}: expected PREFIX=DIR.`,
        hint: "E.g. --path dockers/xgboost_atoz=src: the config's source dir prefix, then the local folder.",
      });
    }
    out[pair.slice(0, at)] = path.resolve(pair.slice(at + 1));
  }
  return out;
}

/** The spec file the options point at. */
export function specFileOf(options: FactoryOptions): string {
  return path.resolve(options.project ?? ".", options.spec ?? SPEC_FILE_NAME);
}

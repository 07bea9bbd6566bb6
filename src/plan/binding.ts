/**
 * How each port of a script is bound locally: the way the script's own `__main__` passes it
 * (read statically by the runner's `describe`), inside the node's local folders.
 *
 * Real scripts disagree with their interface in two known ways: the interface names a file in
 * the code dir (`/opt/ml/code/hyperparams/hyperparameters.json`) where `__main__` passes the
 * folder and `main` appends a region-specific file name; or `__main__` passes a file inside an
 * output folder (`os.path.join(OUT, "result.json")`) that `main` writes as a file. In both cases
 * the script's expectation wins, since that is what ran in the container.
 */
import path from "node:path";
import { CODE_ROOT } from "../model/container-paths.js";
import type { PortBinding } from "../model/plan.js";

const AS_DECLARED: PortBinding = { rule: "interface", mainPath: null, suffix: "" };

/** The binding of one port from its interface container path and what `__main__` passes. */
export function bindPort(containerPath: string | null, mainPath: string | undefined): PortBinding {
  if (!mainPath?.startsWith("/")) return AS_DECLARED;
  const main = clean(mainPath);
  if (containerPath === null) return { rule: "script-main", mainPath: main, suffix: "" };
  const declared = clean(containerPath);
  if (main === declared) return { rule: "interface", mainPath: main, suffix: "" };
  // __main__ passes a file inside the port's folder: the script gets that file's local path.
  if (main.startsWith(`${declared}/`))
    return { rule: "script-main", mainPath: main, suffix: main.slice(declared.length + 1) };
  // __main__ passes the folder that holds what the interface names: the script gets the folder.
  if (declared.startsWith(`${main}/`)) return { rule: "script-main", mainPath: main, suffix: "" };
  return { rule: "interface", mainPath: main, suffix: "" };
}

function clean(p: string): string {
  const normal = path.posix.normalize(p);
  return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

/** The local path of a code-dir input: the source dir plus the part under `/opt/ml/code`. */
export function codeDirPath(sourceDir: string, containerPath: string, binding: PortBinding): string {
  const from = binding.rule === "script-main" && binding.mainPath ? binding.mainPath : containerPath;
  const rest = from.startsWith(CODE_ROOT) ? from.slice(CODE_ROOT.length) : "";
  return path.join(sourceDir, rest);
}

/** Whether an input is read from the script's own code dir in the container. */
export function inCodeDir(containerPath: string | null, binding: PortBinding): boolean {
  return underCodeRoot(containerPath) || (binding.rule === "script-main" && underCodeRoot(binding.mainPath));
}

const CODE_ROOT_DIR = `${CODE_ROOT}/`;

function underCodeRoot(p: string | null): boolean {
  return p !== null && (p === CODE_ROOT || p.startsWith(CODE_ROOT_DIR));
}

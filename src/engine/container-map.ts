/**
 * The container paths of one script, mapped to its local folders for the runner: a script that
 * opens, lists or probes a hard-coded `/opt/ml/...` path finds the same data it would find in the
 * container (python/dagtest_runner/container_paths.py applies the map, longest prefix first).
 */
import path from "node:path";
import { CODE_ROOT, PROCESSING_CODE_ROOT as PROCESSING_CODE } from "../model/container-paths.js";
import type { PortBinding, ScriptNode } from "../model/plan.js";

interface Port {
  readonly containerPath: string | null;
  readonly binding: PortBinding;
}

/** Container path prefix → local path, for the ports of `node` bound to `folders` (port → folder). */
export function containerMap(
  node: ScriptNode,
  inputFolders: Readonly<Record<string, string>>,
  outputFolders: Readonly<Record<string, string>>,
): Record<string, string> {
  const map: Record<string, string> = {
    [CODE_ROOT]: node.script.sourceDir,
    [PROCESSING_CODE]: node.script.sourceDir,
  };
  const add = (port: Port, folder: string | undefined, codeDir: boolean) => {
    if (!folder) return;
    for (const [container, local] of portPaths(port, folder, codeDir)) {
      // A port of its own wins over the code dir; the first port that claims a path keeps it.
      if (!(container in map) || container === CODE_ROOT || container === PROCESSING_CODE)
        map[container] = local;
    }
  };
  for (const input of node.inputs) add(input, inputFolders[input.name], input.provision.kind === "code-dir");
  for (const output of node.outputs) add(output, outputFolders[output.name], false);
  map[CODE_ROOT] = node.script.sourceDir;
  return map;
}

/** The container paths of one port and where each is locally. */
function portPaths(port: Port, folder: string, codeDir: boolean): [string, string][] {
  const declared = port.containerPath ? path.posix.normalize(port.containerPath) : null;
  const main = port.binding.mainPath;
  if (codeDir) return []; // resolved through /opt/ml/code → source dir already
  const out: [string, string][] = [];
  if (main && declared?.startsWith(`${main}/`)) {
    // __main__ passes the folder; the interface names something inside it.
    out.push([main, folder], [declared, path.join(folder, declared.slice(main.length + 1))]);
  } else {
    if (declared) out.push([declared, folder]);
    if (main && main !== declared) out.push([main, path.join(folder, port.binding.suffix)]);
  }
  return out;
}

/**
 * Keys a script reads under another name than its interface declares, bound to the declared
 * port's folder so real scripts run without edits (cursus Payload reads `output_paths["output_dir"]`
 * for its `payload_sample` output; ModelMetricsComputation reads `processed_data` for `eval_output`).
 */
import type { StepInterface } from "../model/interface.js";
import type { KeyRead, ScriptFacts } from "../model/script-facts.js";

type Described = Extract<ScriptFacts, { ok: true }>;

/**
 * Undeclared keys bound to declared ports: by the container path `__main__` passes, else when exactly one declared port of
 * that kind is never read by the script, the unread port is almost certainly the same folder under
 * another name: bind the key to it (a warning says so), so real scripts run without edits.
 */
export function portAliases(
  iface: StepInterface,
  facts: Described,
): { inputs: Record<string, string>; outputs: Record<string, string> } {
  return {
    inputs: pickAliases(iface.inputs, facts.inputKeys, facts.mainPaths?.inputs ?? {}),
    outputs: pickAliases(iface.outputs, facts.outputKeys, facts.mainPaths?.outputs ?? {}),
  };
}

interface DeclaredPort {
  readonly name: string;
  readonly containerPath: string | null;
}

/**
 * Undeclared keys → declared ports. First by container path: a key the script's `__main__` passes
 * the same container path as a declared port is that port under another name. Then, for what is
 * left, the one-unread-port rule. Fallback names of a resolved key need no port of their own.
 */
function pickAliases(
  ports: readonly DeclaredPort[],
  reads: readonly KeyRead[],
  mainPaths: Readonly<Record<string, string>>,
): Record<string, string> {
  const declared = new Set(ports.map((p) => p.name));
  const aliases: Record<string, string> = {};
  for (const [key, at] of Object.entries(mainPaths)) {
    if (declared.has(key)) continue;
    const port = ports.find((p) => p.containerPath !== null && samePath(p.containerPath, at));
    if (port) aliases[key] = port.name;
  }
  const resolved = (key: string) => declared.has(key) || key in aliases;
  const read = new Set(reads.filter((r) => !r.fallbackFor || !resolved(r.fallbackFor)).map((r) => r.key));
  const used = new Set([...read, ...Object.values(aliases)]);
  const undeclared = [...read].filter((k) => !resolved(k));
  const unread = [...declared].filter((d) => !used.has(d));
  if (undeclared.length === 1 && unread.length === 1) aliases[undeclared[0]!] = unread[0]!;
  return aliases;
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

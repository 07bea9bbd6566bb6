/**
 * A remembered static check brought up to date with a describe of just the scripts that changed:
 * their facts replace the old ones, the packages are the remembered ones (nothing that decides
 * them changed), and each module the scripts import keeps the newest answer about it.
 */
import type { DescribeResult, ScriptFacts } from "../model/script-facts.js";

/**
 * The result a describe of all `scripts` would give, or null when the two do not cover them
 * (a script in neither, a module nobody answered for): then describe everything.
 */
export function mergeDescribed(
  remembered: DescribeResult,
  fresh: DescribeResult,
  scripts: readonly string[],
): DescribeResult | null {
  const described: Record<string, ScriptFacts> = {};
  for (const script of scripts) {
    const facts = fresh.scripts[script] ?? remembered.scripts[script];
    if (!facts) return null;
    described[script] = facts;
  }
  const modules: Record<string, boolean> = {};
  for (const name of [...importedModules(Object.values(described))].sort()) {
    const available = fresh.modules[name] ?? remembered.modules[name];
    if (available === undefined) return null;
    modules[name] = available;
  }
  const listed = new Set([...remembered.listedFolders, ...fresh.listedFolders]);
  return {
    protocolVersion: fresh.protocolVersion,
    python: fresh.python,
    scripts: described,
    packages: remembered.packages,
    modules,
    listedFolders: [...listed].sort(),
  };
}

/** Top-level names of the non-local, non-relative imports (as the runner's module_availability). */
function importedModules(facts: readonly ScriptFacts[]): Set<string> {
  const names = new Set<string>();
  for (const fact of facts) {
    if (!fact.ok) continue;
    for (const item of fact.imports)
      if (item.localPath === null && !item.module.startsWith(".")) names.add(item.module.split(".")[0]!);
  }
  return names;
}

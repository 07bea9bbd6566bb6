/**
 * A node's fingerprint: explicit, sorted, versioned data (Wireit's FingerprintData, plus what a
 * Python script depends on), hashed. Two runs with equal fingerprints give the same outputs, so
 * the second can reuse the first's. A node whose inputs cannot be fully tracked is not cached.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Plan, ScriptNode } from "../model/plan.js";
import { NEVER_RAN } from "../model/run.js";
import { hashTree, listFiles } from "../util/files.js";

/** Bump when the meaning of a fingerprint changes: every old entry becomes a miss. */
export const CACHE_VERSION = 3;

export interface FingerprintData {
  readonly cacheVersion: typeof CACHE_VERSION;
  readonly python: { readonly executable: string | null; readonly version: string | null };
  readonly script: { readonly path: string; readonly sha256: string };
  /** The sibling modules the script imports (from the static check). */
  readonly localModules: readonly { readonly path: string; readonly sha256: string }[];
  readonly interface: { readonly path: string; readonly sha256: string } | null;
  /**
   * The output ports the node declares: a plain pipeline's ports live in dagtest.yaml, not in a
   * hashed interface, and an entry stored before a port was added cannot fill it.
   */
  readonly outputs: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  /** Env vars the script reads that nothing declares: their values come from the shell. */
  readonly ambientEnv: readonly (readonly [string, string | null])[];
  readonly jobArgs: readonly (readonly [string, string])[];
  /** Per input port: the upstream node's fingerprint, or the content hash of user data. */
  readonly inputs: readonly (readonly [string, string])[];
  readonly guards: { readonly blockPipInstall: boolean; readonly stubModules: readonly string[] };
  /**
   * How main is called, as the script's own `__main__` would: each port's binding (its folder or
   * a file inside it) and the environ_vars keys converted to bools or numbers.
   */
  readonly calling: {
    readonly bindings: readonly (readonly [string, string])[];
    readonly environConversions: readonly (readonly [string, string])[];
  };
  /** `--sample N`: the rows and seed user data was cut to (the copies' content is in `inputs`). */
  readonly sample?: { readonly rows: number; readonly seed: number };
}

export type Fingerprint =
  | { readonly cacheable: true; readonly hash: string; readonly data: FingerprintData }
  | { readonly cacheable: false; readonly reason: string };

/** Hashes of files already read in this process, by path + size + mtime. */
const fileHashes = new Map<string, string>();

export function hashFile(file: string): string {
  const stat = statSync(file);
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  let hash = fileHashes.get(key);
  if (!hash) {
    hash = createHash("sha256").update(readFileSync(file)).digest("hex");
    fileHashes.set(key, hash);
  }
  return hash;
}

/** Fingerprints of every script node, in topological order (upstream ones feed downstream ones). */
export function fingerprintPlan(plan: Plan, env: NodeJS.ProcessEnv = process.env): Map<string, Fingerprint> {
  const out = new Map<string, Fingerprint>();
  for (const name of plan.order) {
    const node = plan.nodes.find((n) => n.name === name);
    if (node?.kind === "script") out.set(name, fingerprintNode(plan, node, out, env));
  }
  return out;
}

function fingerprintNode(
  plan: Plan,
  node: ScriptNode,
  upstream: ReadonlyMap<string, Fingerprint>,
  env: NodeJS.ProcessEnv,
): Fingerprint {
  if (!node.cache.tracked || !node.check) {
    return { cacheable: false, reason: node.cache.reason ?? "the static check could not read the script" };
  }
  const inputs: [string, string][] = [];
  for (const input of node.inputs) {
    const p = input.provision;
    if (p.kind === "wire") {
      const producer = plan.nodes.find((n) => n.name === p.from.node);
      if (producer?.kind === "phantom") {
        const supplied = producer.suppliedOutputs[p.from.port];
        inputs.push([input.name, supplied ? `data:${hashTree(supplied)}` : "empty"]);
        continue;
      }
      const fp = upstream.get(p.from.node);
      if (!fp?.cacheable) return { cacheable: false, reason: `upstream ${p.from.node} is not cached` };
      inputs.push([input.name, `node:${fp.hash}:${p.from.port}`]);
    } else if (p.kind === "user") {
      inputs.push([input.name, existsSync(p.path) ? `data:${hashTree(p.path)}` : "missing"]);
    } else if (p.kind === "code-dir") {
      inputs.push([input.name, existsSync(p.path) ? `code:${hashCode(p.path)}` : "missing"]);
    } else if (p.kind === "config") {
      if (!p.value || !existsSync(p.value))
        return {
          cacheable: false,
          reason: `input ${input.name} comes from ${p.value ?? "nowhere"}, which cannot be hashed`,
        };
      inputs.push([input.name, `data:${hashTree(p.value)}`]);
    } else inputs.push([input.name, "empty"]);
  }
  const declared = new Set(node.env.map((e) => e.name));
  const data: FingerprintData = {
    cacheVersion: CACHE_VERSION,
    python: { executable: plan.sources.python.executable, version: plan.sources.python.version },
    script: { path: node.script.path, sha256: hashFile(node.script.path) },
    localModules: node.check.localImports.map((file) => ({ path: file, sha256: hashCode(file) })),
    interface: node.interface ? { path: node.interface.file, sha256: hashFile(node.interface.file) } : null,
    outputs: node.outputs.map((o) => o.name).sort(),
    env: node.env
      .filter((e) => e.value !== null)
      .map((e) => [e.name, e.value!] as const)
      .sort(byKey),
    ambientEnv: node.check.envKeys
      .filter((k) => !declared.has(k))
      .map((k) => [k, env[k] ?? null] as const)
      .sort(byKey),
    jobArgs: node.jobArgs
      .filter((a) => a.value !== null)
      .map((a) => [a.attr, a.value!] as const)
      .sort(byKey),
    inputs: inputs.sort(byKey),
    calling: {
      bindings: [
        ...node.inputs.map((i) => [`in:${i.name}`, i.binding.suffix] as const),
        ...node.outputs.map((o) => [`out:${o.name}`, o.binding.suffix] as const),
      ].sort(byKey),
      environConversions: Object.entries(node.check.environConversions)
        .map(([key, rule]) => [key, JSON.stringify(rule)] as const)
        .sort(byKey),
    },
    guards: {
      blockPipInstall: plan.execution.blockPipInstall,
      stubModules: [...plan.execution.stubModules].sort(),
    },
    ...(plan.sampling ? { sample: { rows: plan.sampling.rows, seed: plan.sampling.seed } } : {}),
  };
  return { cacheable: true, hash: createHash("sha256").update(JSON.stringify(data)).digest("hex"), data };
}

/**
 * A hash of source code (a file, or a package or code folder): like `hashTree`, but without the
 * `__pycache__` bytecode Python writes next to imported modules, or the first run of a script
 * that imports a local package would change its own fingerprint for the second.
 */
function hashCode(root: string): string {
  const hash = createHash("sha256");
  for (const file of listFiles(root)) {
    const rel = path.relative(root, file);
    if (rel.split(path.sep).includes("__pycache__") || rel.endsWith(".pyc")) continue;
    hash.update(rel);
    hash.update("\0");
    hash.update(hashFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** ` (helper.py, pkg/deep.py)`: the local modules added, removed or edited, relative to the script's folder. */
function changedModules(before: FingerprintData, after: FingerprintData): string {
  const left = new Map(before.localModules.map((m) => [m.path, m.sha256]));
  const right = new Map(after.localModules.map((m) => [m.path, m.sha256]));
  const dir = path.dirname(after.script.path);
  const changed = [...new Set([...left.keys(), ...right.keys()])]
    .filter((file) => left.get(file) !== right.get(file))
    .map((file) => path.relative(dir, file) || file)
    .sort();
  if (changed.length === 0) return "";
  const shown = changed.slice(0, 3).join(", ");
  return ` (${shown}${changed.length > 3 ? `, and ${changed.length - 3} more` : ""})`;
}

function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** What differs between two fingerprints, in words: why a node runs again. */
export function explainChange(before: FingerprintData | null, after: FingerprintData): string[] {
  if (!before) return [NEVER_RAN];
  const reasons: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(before.script, after.script)) reasons.push("the script changed");
  if (!same(before.localModules, after.localModules))
    reasons.push(`a module it imports from its folder changed${changedModules(before, after)}`);
  if (!same(before.interface, after.interface)) reasons.push("its interface changed");
  if (!same(before.outputs, after.outputs)) reasons.push("its declared outputs changed");
  const diffPairs = (
    label: string,
    a: readonly (readonly [string, unknown])[],
    b: readonly (readonly [string, unknown])[],
  ) => {
    const left = new Map(a);
    const right = new Map(b);
    for (const key of new Set([...left.keys(), ...right.keys()])) {
      if (!same(left.get(key), right.get(key))) reasons.push(`${label} ${key} changed`);
    }
  };
  diffPairs("env", before.env, after.env);
  diffPairs("shell env", before.ambientEnv, after.ambientEnv);
  diffPairs("job arg", before.jobArgs, after.jobArgs);
  diffPairs("input", before.inputs, after.inputs);
  if (!same(before.python, after.python)) reasons.push("the Python interpreter changed");
  if (!same(before.guards, after.guards)) reasons.push("the offline guards changed");
  if (before.cacheVersion !== after.cacheVersion) reasons.push("dagtest's cache format changed");
  return reasons.length > 0 ? reasons : ["no stored result for this fingerprint"];
}

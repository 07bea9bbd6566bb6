/**
 * Second planning pass, the only one with I/O: which script candidates exist, what the search
 * fallback finds under the --scripts roots, and what the Python runner's static check says about
 * every script found (plus the installed versions of the interfaces' framework requirements).
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Project } from "../config/project.js";
import type { StepInterface } from "../model/interface.js";
import { type DescribeOutcome, describeScripts } from "../python/describe.js";
import { describeScriptsCached } from "../python/describe-cache.js";
import { appendAll } from "../util/arrays.js";
import { findFiles } from "../util/find-files.js";
import type { NodeContext, ScriptCandidate } from "./analyse.js";

export interface Facts {
  /** Candidate paths that exist as files. */
  readonly existing: ReadonlySet<string>;
  /** Candidate paths that exist but are not files (a folder given as a script). */
  readonly notFiles: ReadonlySet<string>;
  /** Entry-point file name → files of that name under the script roots, nearest first. */
  readonly fallback: ReadonlyMap<string, readonly string[]>;
  readonly scriptRoots: readonly string[];
  /** The runner's static check, or null when there was nothing to describe. */
  readonly describe: DescribeOutcome | null;
  /** Wall time of the static check (a Python process), reported apart from the engine's own time. */
  readonly describeMs: number;
}

/** Folders never searched for scripts (hidden ones, .venv, .git and .dagtest, are skipped anyway). */
const IGNORED = new Set(["node_modules", "__pycache__"]);

export interface FactOptions {
  /** Reuse the last static check from `<stateDir>/.dagtest/cache` while its inputs are unchanged. */
  readonly describeCache?: string | null;
}

/**
 * With the project's cache on (and `cache` not turned off by `--no-cache`), the static check of
 * unchanged scripts is reused from the project's `.dagtest/cache`: it is most of an unchanged
 * command's time (`dagtest run`, `dagtest plan`, the factory).
 */
export function rememberedFacts(project: Project, cache = true): FactOptions {
  return { describeCache: cache && project.execution.cache.enabled ? project.baseDir : null };
}

export async function gatherFacts(
  project: Project,
  contexts: readonly NodeContext[],
  options: FactOptions = {},
): Promise<Facts> {
  const existing = new Set<string>();
  const notFiles = new Set<string>();
  const fallback = new Map<string, string[]>();
  const toDescribe = new Set<string>();
  const packages = new Set<string>();
  // Nodes of one step type share their candidate paths: each is looked at once.
  const looked = new Map<string, boolean>();
  const isFileOnce = (file: string) => {
    let known = looked.get(file);
    if (known === undefined) {
      known = isFile(file);
      looked.set(file, known);
    }
    return known;
  };
  const present = new Map<string, boolean>();
  const existsOnce = (file: string) => {
    let known = present.get(file);
    if (known === undefined) {
      known = existsSync(file);
      present.set(file, known);
    }
    return known;
  };
  // Nodes of one step type share their candidate list and interface: each such pair (and entry
  // point) is looked at once.
  const seen = new Map<readonly ScriptCandidate[], Map<StepInterface | null, Set<string | null>>>();
  const firstOfItsKind = (ctx: NodeContext) => {
    let byIface = seen.get(ctx.candidates);
    if (!byIface) {
      byIface = new Map();
      seen.set(ctx.candidates, byIface);
    }
    let entries = byIface.get(ctx.iface);
    if (!entries) {
      entries = new Set();
      byIface.set(ctx.iface, entries);
    }
    if (entries.has(ctx.entryPoint)) return false;
    entries.add(ctx.entryPoint);
    return true;
  };
  for (const ctx of contexts) {
    if (ctx.early || !firstOfItsKind(ctx)) continue;
    const found = ctx.candidates.find((c) => isFileOnce(c.path));
    if (found) existing.add(found.path);
    else for (const c of ctx.candidates) if (existsOnce(c.path)) notFiles.add(c.path);
    let chosen = found?.path;
    if (!found && ctx.entryPoint && !fallback.has(ctx.entryPoint)) {
      fallback.set(ctx.entryPoint, searchScriptRoots(project.scriptRoots, ctx.entryPoint));
    }
    chosen ??= ctx.entryPoint ? fallback.get(ctx.entryPoint)?.[0] : undefined;
    if (!chosen) continue;
    toDescribe.add(chosen);
    for (const name of Object.keys(ctx.iface?.frameworkRequirements ?? {})) {
      if (name.toLowerCase() !== "python") packages.add(name);
    }
  }
  const started = performance.now();
  const request = [project.python, [...toDescribe], [...packages].sort()] as const;
  const describe =
    toDescribe.size === 0
      ? null
      : options.describeCache
        ? await describeScriptsCached(options.describeCache, ...request)
        : await describeScripts(...request);
  const describeMs = performance.now() - started;
  return { existing, notFiles, fallback, scriptRoots: project.scriptRoots, describe, describeMs };
}

function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // a name too long, a component that is a file: not a script either way
  }
}

/** Files named `entry` under each root, the shallowest first, roots in the order given. */
function searchScriptRoots(roots: readonly string[], entry: string): string[] {
  const hits: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const found = findFiles(root, (file) => file === entry || file.endsWith(`/${entry}`), {
      skip: IGNORED,
      maxDepth: 8,
    });
    found.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    appendAll(hits, found);
  }
  return hits;
}

function depth(file: string): number {
  return file.split(path.sep).length;
}

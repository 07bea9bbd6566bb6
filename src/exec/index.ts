/**
 * Choosing an executor, and what the warm one preloads. Warm (a fork server per interpreter) is
 * the default on Linux; `--cold` and non-Linux platforms get the cold-process executor. A node
 * with `isolation: process` (its own, or `run:`'s) runs cold even under the warm executor.
 */
import path from "node:path";
import type { ExecutorName, Plan, RaySettings } from "../model/plan.js";
import { LazyExecutor } from "./lazy.js";
import { DEFAULT_KEEP_IDLE_MS, type Executor, type KeepSettings, type PreloadList } from "./types.js";

export interface ExecutorChoice {
  /** `--cold`: every node in a fresh interpreter. */
  readonly cold?: boolean;
  /** Where the warm executor's notices go (fallbacks to cold, server restarts). */
  readonly onNotice?: (message: string) => void;
  /** `run.executor` / `--executor`: `ray` sends every node to a Ray cluster. */
  readonly executor?: ExecutorName;
  /** `run.ray`, with `--ray-address` applied. */
  readonly ray?: Partial<RaySettings>;
  /** Keep the warm server between commands (the CLI's `run.keep_warm`). */
  readonly keep?: KeepSettings | null;
}

/** The executor for `choice`, its code loaded with its first job (lazy.ts). */
export function createExecutor(choice: ExecutorChoice = {}): Executor {
  const notices = choice.onNotice ? { onNotice: choice.onNotice } : {};
  if (choice.executor === "ray")
    return new LazyExecutor("ray", async () => {
      const { RayExecutor } = await import("./ray/executor.js");
      return new RayExecutor({ ...choice.ray, ...notices });
    });
  // fork() without exec is only dependable on Linux (macOS: bpo-33725).
  if (choice.cold || process.platform !== "linux")
    return new LazyExecutor("process", async () => new (await import("./cold.js")).ColdExecutor());
  return new LazyExecutor("fork", async () => {
    const { WarmExecutor } = await import("./warm.js");
    return new WarmExecutor({ ...notices, keep: choice.keep ?? null });
  });
}

/**
 * The kept-server settings for `run.keep_warm` (true: the default idle time; a number: seconds;
 * false: none). `DAGTEST_KEEP_WARM=0` in the environment turns it off (CI, tests).
 */
export function keepSettings(stateDir: string, keepWarm: boolean | number): KeepSettings | null {
  if (keepWarm === false || process.env.DAGTEST_KEEP_WARM === "0") return null;
  return { stateDir, idleMs: keepWarm === true ? DEFAULT_KEEP_IDLE_MS : keepWarm * 1000 };
}

const memo = new WeakMap<Plan, PreloadList>();

/**
 * What a plan's fork server should import: every module the forked scripts import from outside
 * their folders (the server keeps the installed ones), plus `preload:`. Left out: stubbed
 * modules (the stub must win) and names that are a local module of any script, which a
 * preloaded namesake would hide from it.
 */
export function preloadOf(plan: Plan): PreloadList {
  const known = memo.get(plan);
  if (known) return known;
  const scripts = plan.nodes.flatMap((n) =>
    n.kind === "script" && n.limits.isolation === "fork" ? [n] : [],
  );
  const local = new Set(scripts.flatMap((n) => (n.check?.localImports ?? []).map(moduleStem)));
  const stubbed = new Set(plan.execution.stubModules);
  const imports = new Set<string>();
  for (const node of scripts) {
    for (const module of node.check?.modules ?? []) {
      const top = module.split(".")[0]!;
      if (!local.has(top) && !stubbed.has(top)) imports.add(module);
    }
  }
  const list = { imports: [...imports].sort(), explicit: [...plan.execution.preload] };
  memo.set(plan, list);
  return list;
}

/** `/src/utils.py` → `utils`; `/src/pkg/__init__.py` → `pkg`. */
function moduleStem(file: string): string {
  const base = path.basename(file).replace(/\.py$/, "");
  return base === "__init__" ? path.basename(path.dirname(file)) : base;
}

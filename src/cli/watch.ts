/**
 * `dagtest run --watch`: run, then wait for a change to anything the plan depends on (the spec,
 * DAG, config, interfaces, scripts and their local imports, the user's input data), debounced,
 * and run again. The cache decides what reruns: the changed nodes and their descendants, each
 * shown with why it ran. Ctrl-C stops the current run and ends watching (a second one quits at
 * once).
 *
 * The watcher is (re)started after planning and is ready before the run starts, so an edit made
 * while scripts run is not lost: it triggers the next run as soon as this one ends.
 */
import { type FSWatcher, watch } from "chokidar";
import pc from "picocolors";
import type { Project } from "../config/project.js";
import type { RunSession } from "../engine/session.js";
import { DagtestError } from "../errors.js";
import type { Plan } from "../model/plan.js";
import { planProject } from "../plan/build.js";
import { rememberedFacts } from "../plan/facts.js";
import { loadProject } from "./commands/plan.js";
import { formatError } from "./format-error.js";
import type { CommandResult } from "./result.js";
import { cliSession, interruptHandler, type RunSettings, runProjectPlan } from "./run-once.js";

const DEBOUNCE_MS = 300;

export async function watchRuns(settings: RunSettings): Promise<CommandResult> {
  const stop = new AbortController();
  const uninstall = interruptHandler(stop);
  let session: RunSession | null = null;
  const changes = new Changes();
  let watcher: Watcher | null = null;
  let watched: string[] = [];
  try {
    while (!stop.signal.aborted) {
      try {
        const project = await loadProject(settings.target, settings.project);
        const plan = await planProject(project, rememberedFacts(project, settings.cache));
        watched = watchedPaths(project, plan);
        watcher = await rewatch(watcher, watched, changes);
        // One session for the whole watch: the warm server stays up between runs.
        session ??= cliSession(project, settings);
        await runProjectPlan(project, plan, { ...settings, json: false }, session, stop.signal);
      } catch (error) {
        if (!(error instanceof DagtestError)) throw error;
        process.stderr.write(formatError(error));
        if (error.location) watched = [...new Set([...watched, error.location.file])];
        watcher = await rewatch(watcher, watched, changes);
      }
      if (stop.signal.aborted) break;
      if (changes.pending === 0)
        process.stdout.write(
          pc.dim(`\n[dagtest] watching ${watched.length} paths for changes (Ctrl-C to stop)\n`),
        );
      const changed = await changes.next(stop.signal);
      if (changed.length > 0 && !stop.signal.aborted)
        process.stdout.write(
          pc.cyan(
            `\n[dagtest] changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}\n`,
          ),
        );
    }
  } finally {
    uninstall();
    await watcher?.fs.close();
    await session?.close();
  }
  return { stdout: "", exitCode: 0 };
}

/** Every file or folder whose change can change a result. */
export function watchedPaths(project: Project, plan: Plan): string[] {
  const paths = new Set<string>();
  const add = (p: string | null | undefined) => {
    if (p) paths.add(p);
  };
  add(project.specFile);
  add(project.dag.file);
  add(project.config?.file);
  for (const node of plan.nodes) {
    add(node.interface?.file);
    if (node.kind === "phantom") {
      // Synthesized data is dagtest's own output: its recipe comes from files watched already.
      for (const [port, supplied] of Object.entries(node.suppliedOutputs))
        if (!node.synthetic?.ports.includes(port)) add(supplied);
      continue;
    }
    add(node.script.path);
    for (const local of node.check?.localImports ?? []) add(local);
    for (const input of node.inputs) {
      if (input.provision.kind === "user" || input.provision.kind === "code-dir") add(input.provision.path);
      if (input.provision.kind === "config") add(input.provision.value);
    }
  }
  return [...paths];
}

interface Watcher {
  readonly fs: FSWatcher;
  readonly key: string;
}

/** A watcher on exactly `paths`, ready (initial scan done) when this resolves; reused if unchanged. */
async function rewatch(
  current: Watcher | null,
  paths: readonly string[],
  changes: Changes,
): Promise<Watcher> {
  const key = [...paths].sort().join("\0");
  if (current?.key === key) return current;
  const fs = watch([...paths], {
    ignoreInitial: true,
    ignored: (p) => p.includes("/.dagtest/") || p.includes("__pycache__"),
  });
  fs.on("all", (_event, file) => changes.add(file));
  fs.on("error", (error) => process.stderr.write(pc.yellow(`[dagtest] watch: ${String(error)}\n`)));
  // chokidar never reports ready for an empty list (a project that failed to load at all).
  if (paths.length > 0) await new Promise<void>((resolve) => fs.once("ready", () => resolve()));
  // The old watcher stays open until the new one is ready, so no edit falls in between.
  await current?.fs.close();
  return { fs, key };
}

/** Changed paths, collected while the run goes too, handed out after a quiet period. */
class Changes {
  readonly #files = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #settle: (() => void) | null = null;

  get pending(): number {
    return this.#files.size;
  }

  add(file: string): void {
    this.#files.add(file);
    this.#arm();
  }

  /** Resolves with the changed paths once nothing changed for DEBOUNCE_MS, or when stopped. */
  next(signal: AbortSignal): Promise<string[]> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(this.#timer);
        this.#settle = null;
        signal.removeEventListener("abort", finish);
        const files = [...this.#files];
        this.#files.clear();
        resolve(files);
      };
      if (signal.aborted) return finish();
      this.#settle = finish;
      signal.addEventListener("abort", finish, { once: true });
      // Edits made during the run: rerun after the same quiet period.
      if (this.#files.size > 0) this.#arm();
    });
  }

  #arm(): void {
    if (!this.#settle) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#settle, DEBOUNCE_MS);
  }
}

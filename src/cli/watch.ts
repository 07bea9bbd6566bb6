/**
 * `dagtest run --watch`: run, then wait for a change to anything the plan depends on (the spec,
 * DAG, config, interfaces, scripts and their local imports, the user's input data), debounced,
 * and run again. The cache decides what reruns: the changed nodes and their descendants, each
 * shown with why it ran. Ctrl-C stops the current run and ends watching.
 */
import { watch } from "chokidar";
import pc from "picocolors";
import type { Project } from "../config/project.js";
import { DagtestError } from "../errors.js";
import type { Plan } from "../model/plan.js";
import { planProject } from "../plan/build.js";
import { loadProject } from "./commands/plan.js";
import { formatError } from "./format-error.js";
import type { CommandResult } from "./result.js";
import { makeExecutor, type RunSettings, runProjectPlan } from "./run-once.js";

const DEBOUNCE_MS = 300;

export async function watchRuns(settings: RunSettings): Promise<CommandResult> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const executor = makeExecutor();
  let watched: string[] = [];
  try {
    while (!stop.signal.aborted) {
      try {
        const project = loadProject(settings.target, settings.project);
        const plan = await planProject(project);
        watched = watchedPaths(project, plan);
        await runProjectPlan(project, plan, { ...settings, json: false }, executor, stop.signal);
      } catch (error) {
        if (!(error instanceof DagtestError)) throw error;
        process.stderr.write(formatError(error));
        if (error.location) watched = [...new Set([...watched, error.location.file])];
      }
      if (stop.signal.aborted) break;
      process.stdout.write(
        pc.dim(`\n[dagtest] watching ${watched.length} paths for changes (Ctrl-C to stop)\n`),
      );
      const changed = await nextChange(watched, stop.signal);
      if (changed.length > 0)
        process.stdout.write(
          pc.cyan(
            `\n[dagtest] changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}\n`,
          ),
        );
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await executor.close();
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
      for (const supplied of Object.values(node.suppliedOutputs)) add(supplied);
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

/** Resolves with the changed paths after a quiet period, or empty when stopped. */
function nextChange(paths: readonly string[], signal: AbortSignal): Promise<string[]> {
  return new Promise((resolve) => {
    const changed = new Set<string>();
    const watcher = watch([...paths], {
      ignoreInitial: true,
      ignored: (p) => p.includes("/.dagtest/") || p.includes("__pycache__"),
    });
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      void watcher.close();
      resolve([...changed]);
    };
    watcher.on("all", (_event, file) => {
      changed.add(file);
      clearTimeout(timer);
      timer = setTimeout(finish, DEBOUNCE_MS);
    });
    signal.addEventListener("abort", finish, { once: true });
  });
}

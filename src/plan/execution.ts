/** How and where nodes run, from dagtest.yaml: cluster placement per node, the Ray settings. */
import path from "node:path";
import type { Project } from "../config/project.js";
import type { NodeSettings } from "../config/spec-schema.js";
import type { NodePlacement, RaySettings } from "../model/plan.js";

/** `num_cpus`/`num_gpus`/`resources` of a node, when it sets any. */
export function placementOf(settings: NodeSettings): { placement?: NodePlacement } {
  if (settings.num_cpus === undefined && settings.num_gpus === undefined && !settings.resources) return {};
  return {
    placement: {
      numCpus: settings.num_cpus ?? null,
      numGpus: settings.num_gpus ?? null,
      resources: settings.resources ?? {},
    },
  };
}

export function raySettings(project: Project): RaySettings | null {
  const ray = project.execution.ray;
  if (!ray) return null;
  return {
    address: ray.address ?? null,
    sharedDir: ray.shared_dir ? path.resolve(project.baseDir, ray.shared_dir) : null,
    python: ray.python ?? null,
  };
}

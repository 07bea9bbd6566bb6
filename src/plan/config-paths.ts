/**
 * Paths written in a pipeline config: relative to the deployed project root, or absolute paths of
 * the machine the config was written on (`/home/<user>/...`). `paths:` in dagtest.yaml remaps any
 * such prefix; a path that still does not exist locally is an error on its node naming the config
 * field, with the local folder of the same name when the script's source dir holds one.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Project } from "../config/project.js";
import type { Problem } from "../model/plan.js";
import { problem } from "./problems.js";

/** Apply the longest matching `paths:` prefix; null when none matches. */
export function remap(project: Project, written: string): string | null {
  const clean = written.replace(/^\.\//, "").replace(/\/+$/, "");
  for (const [prefix, local] of project.pathMap) {
    if (clean === prefix) return local;
    if (clean.startsWith(`${prefix}/`)) return path.join(local, clean.slice(prefix.length + 1));
  }
  return null;
}

/** Where a config path is locally: remapped, else against the project root (absolute stays). */
export function localConfigPath(project: Project, written: string): string {
  return remap(project, written) ?? path.resolve(project.projectRoot, written);
}

/** An error when the config path is not on this machine, with the likely local folder as a hint. */
export function missingConfigPath(
  project: Project,
  node: string,
  port: string,
  field: string,
  written: string,
  sourceDir: string | null,
): Problem | null {
  const local = localConfigPath(project, written);
  if (existsSync(local)) return null;
  const candidate = sourceDir ? path.join(sourceDir, path.basename(written)) : null;
  const found = candidate && isDir(candidate) ? candidate : null;
  const prefix = path.dirname(written);
  const hint = found
    ? `The script's source dir holds ${found}: remap the config's folder in dagtest.yaml (paths: {"${prefix}": "${path.relative(project.baseDir, path.dirname(found)) || "."}"}), or set nodes.${node}.inputs.${port}.`
    : `Remap its folder in dagtest.yaml (paths: {"${prefix}": <local folder>}), or set nodes.${node}.inputs.${port}: <path>.`;
  return problem(
    "error",
    "DAGTEST_CONFIG_PATH_MISSING",
    `Input ${port} of "${node}" comes from the config field ${field} = ${written}, which does not exist on this machine${local !== written ? ` (looked at ${local})` : ""}.`,
    { node, hint, location: project.config ? { file: project.config.file } : null },
  );
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Scripts and data that live outside the project. `script: ../../x.py`, an absolute path or a
 * symlink out of the project runs someone else's code or reads someone else's data without a
 * word; the plan says so, naming where the path really leads. Not an error: a shared data
 * folder is a legitimate choice, it just should not be a surprise.
 */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import type { Project } from "../config/project.js";
import type { PlanNode, Problem } from "../model/plan.js";
import { problem } from "./problems.js";

/** One warning per script or user data path that resolves outside the project. */
export function outsideProjectWarnings(project: Project, nodes: readonly PlanNode[]): Problem[] {
  // Nodes of one step type share their script: each path is resolved once.
  const resolved = new Map<string, string>();
  const real = (file: string) => {
    let known = resolved.get(file);
    if (known === undefined) {
      known = realPath(file);
      resolved.set(file, known);
    }
    return known;
  };
  const roots = [...new Set([project.baseDir, project.projectRoot].map(real))];
  const inside = (file: string) => roots.some((root) => file === root || file.startsWith(root + path.sep));
  const where = roots.join(", ");
  // Per path given: null when it is inside, else what the warning says of where it leads.
  const verdicts = new Map<string, string | null>();
  const verdict = (given: string) => {
    let known = verdicts.get(given);
    if (known === undefined) {
      const resolved = real(given);
      known = inside(resolved) ? null : `resolves to ${resolved}, outside the project (${where}).`;
      verdicts.set(given, known);
    }
    return known;
  };
  const location = project.specFile ? { file: project.specFile } : null;
  const problems: Problem[] = [];
  const check = (node: string, what: string, given: string) => {
    const outside = verdict(given);
    if (outside === null) return;
    problems.push(
      problem("warning", "DAGTEST_OUTSIDE_PROJECT", `Node "${node}": ${what} ${outside}`, {
        node,
        hint: "Make sure this is the file you mean to run or read; copy it into the project to silence this.",
        location,
      }),
    );
  };
  for (const node of nodes) {
    if (node.kind === "script") check(node.name, "its script", node.script.path);
    else
      for (const [port, file] of Object.entries(node.suppliedOutputs))
        if (file) check(node.name, `the data of output ${port}`, file);
  }
  for (const [node, settings] of Object.entries(project.nodes))
    for (const [port, file] of Object.entries(settings.inputs ?? {}))
      check(node, `the data of input ${port}`, file);
  return problems;
}

/** The real path (symlinks followed); a path that does not exist (yet) as written, absolute. */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    // The native call resolves the whole path at once (the JS one lstats every component).
    return existsSync(absolute) ? realpathSync.native(absolute) : absolute;
  } catch {
    return absolute;
  }
}

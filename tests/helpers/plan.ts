/** Planning a fixture for real (Python describe included), and reading the plan back. */
import path from "node:path";
import { loadSpecProject } from "../../src/config/project.js";
import type { InputRequirement, PhantomNode, Plan, ScriptNode } from "../../src/model/plan.js";
import { planProject } from "../../src/plan/build.js";
import { testPython } from "./paths.js";

/** Plan a dagtest.yaml (or a folder holding one) with the test interpreter. */
export async function planSpec(spec: string): Promise<Plan> {
  const file = spec.endsWith(".yaml") ? spec : path.join(spec, "dagtest.yaml");
  return planProject(loadSpecProject(file, { python: testPython() }));
}

export function scriptNode(plan: Plan, name: string): ScriptNode {
  const node = plan.nodes.find((n) => n.name === name);
  if (node?.kind !== "script") throw new Error(`${name} is not a script node: ${JSON.stringify(node)}`);
  return node;
}

export function phantomNode(plan: Plan, name: string): PhantomNode {
  const node = plan.nodes.find((n) => n.name === name);
  if (node?.kind !== "phantom") throw new Error(`${name} is not a phantom node: ${JSON.stringify(node)}`);
  return node;
}

export function inputOf(plan: Plan, node: string, port: string): InputRequirement {
  const input = scriptNode(plan, node).inputs.find((i) => i.name === port);
  if (!input) throw new Error(`${node} has no input ${port}`);
  return input;
}

/** Wires as `from.port -> to.port` strings, in plan order. */
export function wirePairs(plan: Plan): string[] {
  return plan.wires.map((w) => `${w.from.node}.${w.from.port} -> ${w.to.node}.${w.to.port}`);
}

/** Problem codes, optionally of one severity. */
export function codes(plan: Plan, severity?: "error" | "warning"): string[] {
  return plan.problems.filter((p) => severity === undefined || p.severity === severity).map((p) => p.code);
}

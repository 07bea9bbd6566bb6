/** Plan nodes seen as the seeds' testing requirements: every value, its default and its source. */
import type { InputRequirement, Plan, ScriptNode, ValueSource } from "../model/plan.js";
import type {
  EnvRequirementView,
  InputRequirementView,
  JobArgRequirementView,
  RequirementSource,
  ScriptTestingRequirements,
} from "./types.js";

export function requirementsOf(plan: Plan, node: ScriptNode): ScriptTestingRequirements {
  const missing = missingFor(plan, node.name);
  const missingInputs = new Set(
    missing.filter((m) => m.field.startsWith("inputs.")).map((m) => m.field.slice(7)),
  );
  const missingEnv = new Set(missing.filter((m) => m.field.startsWith("env.")).map((m) => m.field.slice(4)));
  return {
    node: node.name,
    scriptPath: node.script.path,
    stepType: node.stepType,
    jobType: node.jobType,
    frameworks: node.frameworks,
    dependencies: node.upstream,
    inputs: node.inputs.map((input) => inputView(plan, input, missingInputs.has(input.name))),
    outputs: node.outputs.map((o) => ({
      name: o.name,
      description: describePort(o.type, o.containerPath, "written to"),
      dataType: o.type,
    })),
    env: node.env.map(
      (e): EnvRequirementView => ({
        name: e.name,
        description: e.declared
          ? e.required
            ? "required by the interface"
            : "optional in the interface"
          : "not declared by the interface",
        required: e.required,
        defaultValue: e.value,
        ...sourceOf(e.source),
        needsUser: missingEnv.has(e.name),
      }),
    ),
    jobArgs: node.jobArgs.map(
      (a): JobArgRequirementView => ({
        name: a.attr,
        flag: a.flag,
        description: `command-line flag ${a.flag}, read as job_args.${a.attr}`,
        required: false,
        defaultValue: a.value,
        ...sourceOf(a.source),
      }),
    ),
    autoConfigurable: missing.length === 0,
    missing,
  };
}

/**
 * A script whose data the user supplied (an input path, or a phantom output it is wired to)
 * counts as configured by the user: answering a phantom's outputs completes its consumers.
 * Derived from the plan, so a factory reloaded from the saved file sees the same state.
 */
export function fedByUser(plan: Plan, node: ScriptNode): boolean {
  return node.inputs.some((input) => {
    const p = input.provision;
    if (p.kind === "user") return true;
    if (p.kind !== "wire") return false;
    const producer = plan.nodes.find((n) => n.name === p.from.node);
    return producer?.kind === "phantom" && (producer.suppliedOutputs[p.from.port] ?? null) !== null;
  });
}

/** Open questions that stop this script, as `{field, message, answerAt}`. */
export function missingFor(plan: Plan, node: string): { field: string; message: string; answerAt: string }[] {
  const out: { field: string; message: string; answerAt: string }[] = [];
  for (const q of plan.questions) {
    if (q.kind === "phantom-output") {
      for (const consumer of q.consumers.filter((c) => c.node === node)) {
        out.push({ field: `inputs.${consumer.port}`, message: q.message, answerAt: q.answerAt });
      }
    } else if (q.node === node) {
      out.push({
        field: `${q.kind === "input" ? "inputs" : q.kind === "env" ? "env" : "jobArgs"}.${q.name}`,
        message: q.message,
        answerAt: q.answerAt,
      });
    }
  }
  return out;
}

function inputView(plan: Plan, input: InputRequirement, needsUser: boolean): InputRequirementView {
  const p = input.provision;
  const base = {
    name: input.name,
    description: describePort(input.type, input.containerPath, "mounted at"),
    required: input.required,
    dataType: input.type,
    channels: input.channels,
    needsUser,
  };
  switch (p.kind) {
    case "wire": {
      const producer = plan.nodes.find((n) => n.name === p.from.node);
      const phantom = producer?.kind === "phantom";
      const supplied = phantom ? (producer.suppliedOutputs[p.from.port] ?? null) : null;
      return {
        ...base,
        defaultValue: supplied ?? `${p.from.node}.${p.from.port}`,
        source: phantom ? "phantom-upstream" : "upstream",
        configField: null,
      };
    }
    case "user":
      return { ...base, defaultValue: p.path, source: "user", configField: null };
    case "config":
      return { ...base, defaultValue: p.value, source: "config", configField: p.field };
    case "code-dir":
      return { ...base, defaultValue: p.path, source: "code-dir", configField: null };
    case "none":
      return { ...base, defaultValue: null, source: "none", configField: null };
  }
}

function describePort(type: string, containerPath: string | null, verb: string): string {
  return containerPath ? `${type}, ${verb} ${containerPath} in the container` : type;
}

export function sourceOf(source: ValueSource | null): {
  source: RequirementSource;
  configField: string | null;
} {
  if (!source) return { source: "none", configField: null };
  switch (source.kind) {
    case "config":
      return { source: "config", configField: source.field };
    case "config-env":
      return { source: "config-env", configField: "env" };
    case "interface-default":
      return { source: "interface-default", configField: null };
    case "node-suffix":
      return { source: "node-suffix", configField: null };
    case "user":
      return { source: "user", configField: null };
    case "engine":
      return { source: "dagtest", configField: null };
  }
}

/** Phantoms that feed a script, with their outputs that hold no data yet: what synthesis would answer. */
export function unsuppliedPhantomOutputs(plan: Plan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const node of plan.nodes) {
    if (node.kind !== "phantom" || !plan.wires.some((w) => w.from.node === node.name)) continue;
    const ports = Object.entries(node.suppliedOutputs)
      .filter(([, at]) => at === null)
      .map(([port]) => port);
    if (ports.length > 0) out.set(node.name, ports);
  }
  return out;
}

/**
 * The texts of `dagtest init` and `dagtest status`: the overview, each script's upstream context
 * with every pre-filled value and where it came from, and the factory summary. Pure strings.
 */
import path from "node:path";
import pc from "picocolors";
import type { TestingFactory } from "../../factory/factory.js";
import type {
  EnvRequirementView,
  FactorySummary,
  InputRequirementView,
  JobArgRequirementView,
  RequirementSource,
} from "../../factory/types.js";
import { maxOf } from "../../util/arrays.js";

/** `config label_name`, `interface default`, ...: where a pre-filled value came from. */
export function sourceText(source: RequirementSource, configField: string | null): string {
  switch (source) {
    case "config":
      return `config ${configField ?? ""}`.trim();
    case "config-env":
      return "config env";
    case "interface-default":
      return "interface default";
    case "node-suffix":
      return "node name suffix";
    case "user":
      return "dagtest.yaml";
    case "dagtest":
      return "dagtest, per run";
    case "upstream":
      return "upstream";
    case "phantom-upstream":
      return "phantom upstream";
    case "code-dir":
      return "script's code dir";
    case "none":
      return "nothing";
  }
}

/** `; phantom: <reason>` for a phantom producer, so every mention of a phantom says why. */
function phantomReason(factory: TestingFactory, node: string | undefined): string {
  const phantom = factory.plan.nodes.find((n) => n.name === node);
  return phantom?.kind === "phantom" ? `; phantom: ${phantom.reason}` : "";
}

/** The overview shown first: how many scripts and phantoms, and why each phantom cannot run. */
export function overviewText(factory: TestingFactory, required: number, optional: number): string {
  const scripts = factory.getScriptsRequiringTesting();
  const skipped = factory.getSkippedNodes();
  const lines = [
    `${factory.plan.order.length} nodes: ${scripts.length} scripts to test, ${skipped.length} phantom(s) that cannot run locally.`,
    ...skipped.map((s) => `  ○ ${s.node}  ${pc.dim(`${s.reason}: ${s.detail}`)}`),
    "",
    required + optional === 0
      ? "Everything can be derived: nothing to ask."
      : `${required} question(s) to answer${optional > 0 ? ` and ${optional} optional one(s) (Enter skips)` : ""}; everything else is pre-filled from the config, the interfaces and the upstream scripts.`,
  ];
  const errors = factory.plan.summary.errors;
  if (errors > 0)
    lines.push(pc.yellow(`${errors} plan error(s) no answer here can fix: see \`dagtest plan\`.`));
  return lines.join("\n");
}

/** A script's header: what feeds each input (with wire scores), then every pre-filled value. */
export function scriptHeader(factory: TestingFactory, name: string, rel: (p: string) => string): string {
  const req = factory.getScriptTestingRequirements(name);
  const node = factory.plan.nodes.find((n) => n.name === name);
  const step = [req.stepType ?? "plain node", req.jobType ? `job type ${req.jobType}` : ""].filter(Boolean);
  const lines = [`${pc.dim(`[${step.join(" · ")}]`)} ${rel(req.scriptPath)}`];
  if (node?.kind === "script") lines[0] += pc.dim(` (${node.script.rule})`);
  if (req.inputs.length > 0) lines.push("inputs");
  for (const input of req.inputs)
    lines.push(`  ${input.name}${input.required ? "*" : ""} ${inputText(factory, name, input, rel)}`);
  if (req.env.length > 0) lines.push("env");
  for (const env of req.env) lines.push(`  ${envText(env)}`);
  if (req.jobArgs.length > 0) lines.push("job args");
  for (const arg of req.jobArgs) lines.push(`  ${argText(arg)}`);
  lines.push(
    req.missing.length === 0
      ? pc.green("✓ nothing to ask: every value is derived")
      : pc.yellow(`? ${req.missing.length} thing(s) only you can answer`),
  );
  return lines.join("\n");
}

function inputText(
  factory: TestingFactory,
  script: string,
  input: InputRequirementView,
  rel: (p: string) => string,
): string {
  const wire = factory.plan.wires.find((w) => w.to.node === script && w.to.port === input.name);
  const score =
    wire?.score === null || wire?.score === undefined ? "" : `, wire score ${wire.score.toFixed(2)}`;
  switch (input.source) {
    case "upstream":
      return `← ${input.defaultValue} ${pc.dim(`(upstream${score})`)}`;
    case "phantom-upstream": {
      const from = wire ? `${wire.from.node}.${wire.from.port}` : "?";
      const supplied = input.defaultValue !== from && input.defaultValue !== null;
      if (supplied) return `← ${rel(input.defaultValue!)} ${pc.dim(`(data of phantom ${from}${score})`)}`;
      const state = input.needsUser ? pc.yellow("needs data") : pc.dim("optional, no data yet");
      const why = phantomReason(factory, wire?.from.node);
      return `← phantom ${from} (${state}${pc.dim(`${score}${why}`)})`;
    }
    case "none":
      return input.needsUser
        ? pc.yellow("← nothing: needs data")
        : pc.dim("← nothing (optional: an empty folder)");
    default:
      return `← ${input.defaultValue === null ? "?" : rel(input.defaultValue)} ${pc.dim(`(${sourceText(input.source, input.configField)})`)}`;
  }
}

function envText(env: EnvRequirementView): string {
  if (env.needsUser) return `${env.name} = ${pc.yellow("<missing>")}`;
  const value = env.defaultValue ?? (env.source === "dagtest" ? "<per run>" : "<unset>");
  return `${env.name} = ${value} ${pc.dim(`(${sourceText(env.source, env.configField)})`)}`;
}

function argText(arg: JobArgRequirementView): string {
  return `${arg.flag} ${arg.defaultValue ?? "<omitted>"} ${pc.dim(`(${sourceText(arg.source, arg.configField)})`)}`;
}

/** The summary: each script's state, the phantoms, ready or not. */
export function summaryText(summary: FactorySummary): string {
  const width = maxOf(
    Object.keys(summary.states).map((n) => n.length),
    0,
  );
  const lines = Object.entries(summary.states).map(
    ([name, state]) => `  ${name.padEnd(width)}  ${stateText(state)}`,
  );
  lines.push(
    "",
    `${summary.totalScripts} scripts · ${summary.skippedNodes.length} phantom(s) · ready for testing: ${summary.readyForTesting ? pc.green("yes") : pc.yellow("no")}`,
  );
  if (summary.planErrors > 0)
    lines.push(pc.yellow(`${summary.planErrors} plan error(s): see \`dagtest plan\`.`));
  return lines.join("\n");
}

export function stateText(state: string): string {
  if (state === "pending" || state === "partial") return pc.yellow(state);
  return pc.green(state);
}

/** Paths shown relative to the folder of dagtest.yaml when inside it. */
export function relativeTo(dir: string): (p: string) => string {
  return (p) => {
    if (!path.isAbsolute(p)) return p;
    const r = path.relative(dir, p);
    return r.startsWith("..") ? p : r || ".";
  };
}

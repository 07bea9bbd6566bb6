/** The readable `dagtest plan` report: scripts, phantoms, requirements with sources, wires, questions, problems. */
import path from "node:path";
import pc from "picocolors";
import { formatLocation } from "../errors.js";
import type {
  EnvRequirement,
  InputRequirement,
  JobArgRequirement,
  PhantomNode,
  Plan,
  PortBinding,
  Problem,
  ScriptNode,
  ValueSource,
} from "../model/plan.js";
import type { SyntheticData } from "../model/synth.js";
import { appendAll } from "../util/arrays.js";

export interface PlanTextOptions {
  /** Show every wire's scoring reasons. */
  readonly verbose?: boolean;
  /** Paths are shown relative to this folder. */
  readonly cwd?: string;
}

export function renderPlan(plan: Plan, options: PlanTextOptions = {}): string {
  const rel = (p: string) => relative(p, options.cwd ?? process.cwd());
  const lines: string[] = [];
  const s = plan.summary;
  lines.push(
    pc.bold(`dagtest plan: ${s.nodes} nodes, ${s.scripts} scripts, ${s.phantoms} phantoms, ${s.wires} wires`),
  );
  const src = plan.sources;
  if (src.spec) lines.push(`  spec     ${rel(src.spec)}`);
  if (src.dag) lines.push(`  dag      ${rel(src.dag)}`);
  if (src.config) lines.push(`  config   ${rel(src.config)}`);
  const py = src.python;
  lines.push(
    `  python   ${py.command}${py.version ? ` (Python ${py.version}${py.executable && py.executable !== py.command ? `, ${py.executable}` : ""})` : ""}`,
  );
  lines.push("", pc.bold("Order"));
  plan.layers.forEach((layer, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}  ${layer.join(", ")}`);
  });
  const scripts = plan.nodes.filter((n): n is ScriptNode => n.kind === "script");
  const phantoms = plan.nodes.filter((n): n is PhantomNode => n.kind === "phantom");
  if (scripts.length > 0) {
    lines.push("", pc.bold(`Scripts (${scripts.length})`));
    for (const node of scripts) appendAll(lines, renderScript(node, plan, rel, options.verbose ?? false));
  }
  if (phantoms.length > 0) {
    lines.push("", pc.bold(`Phantoms (${phantoms.length}): nodes that cannot run locally`));
    for (const node of phantoms) appendAll(lines, renderPhantom(node, plan, rel));
  }
  appendAll(lines, issueLines(plan, rel, options.verbose ?? false));
  lines.push("", summaryLine(plan));
  return `${lines.join("\n")}\n`;
}

/** Open questions and problems only: what `dagtest run` shows before it starts when the plan is not clean. */
export function renderPlanIssues(plan: Plan, options: PlanTextOptions = {}): string {
  const rel = (p: string) => relative(p, options.cwd ?? process.cwd());
  const lines = issueLines(plan, rel, false);
  return lines.length > 0 ? `${lines.join("\n").replace(/^\n/, "")}\n\n` : "";
}

function issueLines(plan: Plan, rel: (p: string) => string, verbose: boolean): string[] {
  const lines: string[] = [];
  const s = plan.summary;
  if (plan.questions.length > 0) {
    lines.push(
      "",
      pc.bold(pc.yellow(`Open questions (${plan.questions.length}): only you can answer these`)),
    );
    for (const q of plan.questions) {
      lines.push(
        `  ${pc.yellow("?")} ${q.message}`,
        `      answer in dagtest.yaml: ${pc.cyan(q.answerAt)}: <path>`,
      );
    }
  }
  const shown = plan.problems.filter((p) => verbose || p.severity !== "info");
  if (shown.length > 0 || s.notes > 0) {
    lines.push("", pc.bold(`Problems (${s.errors} errors, ${s.warnings} warnings)`));
    for (const p of shown) appendAll(lines, renderProblem(p, rel));
  }
  if (s.notes > 0 && !verbose) lines.push(notesLine(plan.problems.filter((p) => p.severity === "info")));
  return lines;
}

function renderScript(node: ScriptNode, plan: Plan, rel: (p: string) => string, verbose: boolean): string[] {
  const out = [`  ${pc.green("●")} ${pc.bold(node.name)}  ${pc.dim(describeStep(node))}`];
  out.push(`      script   ${rel(node.script.path)} ${pc.dim(`(${node.script.rule})`)}`);
  if (node.frameworks.length > 0) out.push(`      uses     ${node.frameworks.join(", ")}`);
  node.inputs.forEach((input, i) => {
    const label = i === 0 ? "inputs  " : "        ";
    out.push(
      `      ${label} ${portLabel(input)} ${renderProvision(input, plan, node.name, rel, verbose)}${bindingNote(input.binding)}`,
    );
  });
  if (node.outputs.length > 0)
    out.push(`      outputs  ${node.outputs.map((o) => `${o.name}${bindingNote(o.binding)}`).join(", ")}`);
  node.env.forEach((env, i) => {
    out.push(`      ${i === 0 ? "env     " : "        "} ${renderEnv(env, rel)}`);
  });
  node.jobArgs.forEach((arg, i) => {
    out.push(`      ${i === 0 ? "args    " : "        "} ${renderArg(arg)}`);
  });
  if (!node.cache.tracked) out.push(`      cache    ${pc.yellow("not cached")}: ${node.cache.reason}`);
  if (node.parity.length > 0) {
    const parts = node.parity.map((p) => {
      const mark =
        p.satisfied === true
          ? pc.green("ok")
          : p.installed === null
            ? pc.red("missing")
            : p.satisfied === false
              ? pc.yellow("differs")
              : "?";
      return `${p.package} ${p.installed ?? "-"} (${p.wanted} ${mark})`;
    });
    out.push(`      packages ${parts.join(", ")}`);
  }
  return out;
}

/** Where the script's own `__main__` binds a port differently from its interface. */
function bindingNote(binding: PortBinding): string {
  if (binding.rule !== "script-main") return "";
  const file = binding.suffix ? `, file ${binding.suffix} inside` : "";
  return pc.dim(` [as __main__ passes ${binding.mainPath}${file}]`);
}

function describeStep(node: ScriptNode | PhantomNode): string {
  const parts = [node.stepType ?? "plain node"];
  if (node.jobType) parts.push(`job type ${node.jobType}`);
  if (node.interface?.variant) parts.push(`variant ${node.interface.variant}`);
  return `[${parts.join(" · ")}]`;
}

function portLabel(input: InputRequirement): string {
  const name = `${input.name}${input.required ? "*" : ""}`;
  const channels = input.channels.length > 0 ? pc.dim(` {${input.channels.join(",")}}`) : "";
  return `${name.padEnd(22)}${channels}`;
}

function renderProvision(
  input: InputRequirement,
  plan: Plan,
  node: string,
  rel: (p: string) => string,
  verbose: boolean,
): string {
  const p = input.provision;
  switch (p.kind) {
    case "wire": {
      const wire = plan.wires.find((w) => w.to.node === node && w.to.port === input.name);
      const score =
        wire?.score === null || wire?.score === undefined ? "set by you" : `score ${wire.score.toFixed(2)}`;
      const why =
        verbose && wire
          ? `\n${wire.reasons.map((r) => `                 ${pc.dim(`· ${r}`)}`).join("\n")}`
          : "";
      return `← ${p.from.node}.${p.from.port} ${pc.dim(`(${score}${wire?.viaPhantom ? ", phantom" : ""})`)}${why}`;
    }
    case "user":
      return `← ${rel(p.path)} ${pc.dim("(you)")}`;
    case "config":
      return `← ${p.value ?? "?"} ${pc.dim(`(config ${p.field})`)}`;
    case "code-dir":
      return `← ${rel(p.path)} ${pc.dim("(script's code dir)")}`;
    case "none":
      return input.required
        ? pc.yellow("← nothing (see open questions)")
        : pc.dim("← nothing (optional: an empty folder)");
  }
}

function renderEnv(env: EnvRequirement, rel: (p: string) => string): string {
  const value =
    env.value === null
      ? env.source?.kind === "engine"
        ? pc.dim("<per run>")
        : pc.yellow("<missing>")
      : env.value;
  return `${env.name}=${value} ${pc.dim(`(${sourceLabel(env.source, rel)})`)}`;
}

function renderArg(arg: JobArgRequirement): string {
  return `${arg.flag} ${arg.value ?? pc.dim("<omitted>")} ${pc.dim(`(${sourceLabel(arg.source, (p) => p)})`)}`;
}

export function sourceLabel(source: ValueSource | null, rel: (p: string) => string): string {
  if (!source) return "no source";
  switch (source.kind) {
    case "interface-default":
      return `interface default, ${rel(source.file)}`;
    case "config":
      return `config ${source.field}`;
    case "config-env":
      return "config env";
    case "node-suffix":
      return "node name suffix";
    case "user":
      return "dagtest.yaml";
    case "engine":
      return `dagtest: ${source.why}`;
  }
}

function renderPhantom(node: PhantomNode, plan: Plan, rel: (p: string) => string): string[] {
  const out = [`  ${pc.dim("○")} ${pc.bold(node.name)}  ${pc.dim(describeStep(node))}`];
  out.push(`      why      ${pc.magenta(node.reason)}: ${node.detail}`);
  if (node.searched.length > 0)
    out.push(`      searched ${node.searched.map(rel).join("\n               ")}`);
  if (node.reason === "script-not-found") {
    out.push(
      `      ${pc.cyan("hint:")}    remap the config's source dir (paths: in dagtest.yaml), or search with --scripts DIR`,
    );
  }
  plan.wires
    .filter((w) => w.to.node === node.name)
    .forEach((w, i) => {
      const score = w.score === null ? "set by you" : `score ${w.score.toFixed(2)}`;
      out.push(
        `      ${i === 0 ? "inputs  " : "        "} ${w.to.port.padEnd(22)} ← ${w.from.node}.${w.from.port} ${pc.dim(`(${score}; not run)`)}`,
      );
    });
  const outputs = Object.entries(node.suppliedOutputs);
  if (outputs.length > 0) {
    out.push(
      `      outputs  ${outputs.map(([port, at]) => `${port} ${at ? `= ${rel(at)}` : pc.dim("(not supplied)")}`).join(", ")}`,
    );
  }
  if (node.synthetic) appendAll(out, renderSynthetic(node.synthetic));
  return out;
}

/** Which outputs are synthetic, their layout, label and id, and where each column came from. */
function renderSynthetic(synth: SyntheticData): string[] {
  const r = synth.recipe;
  const out = [
    `      ${pc.magenta("synthetic")} ${synth.ports.join(", ")}: ${r.rows} rows, seed ${r.seed}, ${r.format}${r.header ? " with header" : " without header"}, ${r.parts} part(s)  ${pc.dim(`(${r.layoutSource})`)}`,
  ];
  if (r.label)
    out.push(
      `               label ${r.label.name} ∈ {${r.label.classes.join(", ")}}  ${pc.dim(`(${r.label.source})`)}`,
    );
  if (r.id) out.push(`               id    ${r.id.name}  ${pc.dim(`(${r.id.source})`)}`);
  if (r.columns.length <= 12) {
    for (const c of r.columns)
      out.push(
        `               ${c.fileName} ${pc.cyan(c.kind)}${c.missing ? ` ${pc.dim(`${c.missing * 100}% missing`)}` : ""}  ${pc.dim(`← ${c.source}; ${c.kindSource}`)}`,
      );
    return out;
  }
  const groups = new Map<string, number>();
  for (const c of r.columns) {
    const key = `${c.kind} ← ${c.kindSource}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  out.push(`               ${r.columns.length} columns (every one, with its source: dagtest plan --json):`);
  for (const [key, n] of groups) out.push(`                 ${String(n).padStart(3)} ${key}`);
  return out;
}

/** Findings that need nothing from the user, in one line: how many, of which kinds. */
function notesLine(notes: readonly Problem[]): string {
  const codes = [...new Set(notes.map((n) => n.code))].join(", ");
  const nodes = new Set(notes.map((n) => n.node)).size;
  return `  ${pc.dim("note")} ${notes.length} finding(s) on ${nodes} node(s) need nothing from you (${codes}); --verbose lists them.`;
}

function renderProblem(p: Problem, rel: (p: string) => string): string[] {
  const tag =
    p.severity === "error"
      ? pc.red("error")
      : p.severity === "warning"
        ? pc.yellow("warning")
        : pc.dim("note");
  const out = [`  ${tag} ${pc.dim(p.code)} ${p.message}`];
  if (p.location) out.push(`        at ${formatLocation({ ...p.location, file: rel(p.location.file) })}`);
  if (p.hint) out.push(`        ${pc.cyan("hint:")} ${p.hint}`);
  return out;
}

function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (s.ready && s.scripts === 0)
    return pc.yellow("Nothing to run: every node is a phantom (see why above).");
  if (s.ready) return pc.green(`Ready: ${s.scripts} scripts can run (${s.warnings} warnings).`);
  const why = [
    s.errors > 0 ? `${s.errors} error(s)` : "",
    s.questions > 0 ? `${s.questions} open question(s)` : "",
  ].filter(Boolean);
  return (s.errors > 0 ? pc.red : pc.yellow)(`Not ready: ${why.join(" and ")}.`);
}

function relative(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const r = path.relative(cwd, file);
  return r.startsWith("../../..") ? file : r || ".";
}

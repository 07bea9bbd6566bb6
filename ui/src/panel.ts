/**
 * A node's panel: everything the plan knows (script and the rule that found it, frameworks,
 * inputs with their sources, outputs, env and job args with their sources, package parity,
 * problems, cache tracking) and its last result (status, reason, snapshot differences, error
 * frames, log tail).
 */
import type { PhantomNode, Plan, PlanNode, ScriptNode, ScriptResult } from "./api.js";
import { h, ms } from "./dom.js";
import type { ViewModel } from "./state.js";

export function nodePanel(model: ViewModel, node: PlanNode): HTMLElement {
  const state = model.stateOf(node);
  const body = h(
    "div",
    { class: "panel-body", "data-testid": "node-panel" },
    h("h2", {}, node.name),
    h("p", { class: `badge state-${state}` }, state),
    resultSection(model.results.get(node.name), model.logTails.get(node.name) ?? []),
    identity(node),
  );
  if (node.kind === "phantom") body.append(...phantomSections(node));
  else body.append(...scriptSections(node, model.outlook[node.name]));
  const problems = model.plan.problems.filter((p) => p.node === node.name);
  if (problems.length) body.append(problemsSection(problems));
  return body;
}

function identity(node: PlanNode): HTMLElement {
  const iface = node.interface;
  return kv([
    ["kind", node.kind],
    ["step type", node.stepType ?? "—"],
    ["job type", node.jobType ?? "—"],
    ["interface", iface ? `${iface.file}${iface.variant ? ` (${iface.variant})` : ""}` : "—"],
    ["config", node.config ? `${node.config.key} (${node.config.rule})` : "—"],
    ["upstream", node.upstream.join(", ") || "—"],
    ["downstream", node.downstream.join(", ") || "—"],
  ]);
}

function phantomSections(node: PhantomNode): HTMLElement[] {
  const supplied = Object.entries(node.suppliedOutputs).map(([k, v]) => [k, v ?? "— (not given)"] as const);
  return [
    section(
      "Phantom",
      kv([
        ["reason", node.reason],
        ["why", node.detail],
      ]),
    ),
    section("Supplied data", kv(supplied)),
  ];
}

function problemsSection(problems: Plan["problems"]): HTMLElement {
  const items = problems.map((p) =>
    h("li", { class: p.severity }, `${p.code}: ${p.message}`, h("br"), h("small", {}, p.hint)),
  );
  return section("Problems", h("ul", {}, ...items));
}

function scriptSummary(node: ScriptNode, outlook: string | undefined): HTMLElement {
  const cache = node.cache.tracked
    ? "tracked: reruns only when what it reads changes"
    : `not cached: ${node.cache.reason ?? ""}`;
  return section(
    "Script",
    kv([
      ["file", node.script.path],
      ["found by", node.script.rule],
      ["frameworks", node.frameworks.join(", ") || "—"],
      ["cache", cache],
      ["isolation", node.limits.isolation],
      ...(outlook ? [["next run", outlook] as const] : []),
    ]),
  );
}

function scriptSections(node: ScriptNode, outlook: string | undefined): HTMLElement[] {
  return [
    scriptSummary(node, outlook),
    section(
      "Inputs",
      table(
        ["port", "from"],
        node.inputs.map((i) => [`${i.name}${i.required ? "" : " (optional)"}`, inputSource(node.name, i)]),
      ),
    ),
    section(
      "Outputs",
      table(
        ["port", "type"],
        node.outputs.map((o) => [o.name, `${o.type} ${o.dataType}`]),
      ),
    ),
    section(
      "Env vars",
      table(
        ["name", "value", "source"],
        node.env.map((e) => [e.name, e.value ?? "—", sourceText(e.source)]),
      ),
    ),
    section(
      "Job args",
      table(
        ["flag", "value", "source"],
        node.jobArgs.map((a) => [a.flag, a.value ?? "—", sourceText(a.source)]),
      ),
    ),
    section(
      "Package parity",
      table(
        ["package", "wanted", "installed"],
        node.parity.map((p) => [
          p.package,
          p.wanted,
          `${p.installed ?? "missing"}${p.satisfied === false ? " ✗" : ""}`,
        ]),
      ),
    ),
  ];
}

function inputSource(node: string, input: ScriptNode["inputs"][number]): string {
  const p = input.provision;
  if (p.kind === "wire") return `${p.from.node}.${p.from.port}${wireScore(node, input.name)}`;
  if (p.kind === "user") return `your data: ${p.path}`;
  if (p.kind === "config") return `config ${p.field}: ${p.value ?? "—"}`;
  if (p.kind === "code-dir") return `code dir ${p.path}`;
  return "nothing";
}

let wireScore: (node: string, port: string) => string = () => "";

/** Wire scores for the inputs table (set by the app when a plan is loaded). */
export function setWireScores(lookup: (node: string, port: string) => string): void {
  wireScore = lookup;
}

function resultSection(result: ScriptResult | undefined, tail: readonly string[]): HTMLElement {
  if (!result)
    return section("Last result", tail.length ? pre(tail.join("\n"), "log-tail") : h("p", {}, "not run yet"));
  const rows: [string, string][] = [
    ["status", result.status + (result.reason ? ` (${result.reason})` : "")],
    ["message", result.message || "—"],
    ["duration", ms(result.durationMs)],
    ["peak memory", result.peakRssKb === null ? "—" : `${Math.round(result.peakRssKb / 1024)} MB`],
    ["why it ran", result.ranBecause.join("; ") || "—"],
  ];
  const box = section("Last result", kv(rows));
  const diffs = result.snapshot?.diffs ?? [];
  if (diffs.length) box.append(h("h4", {}, `Snapshot differences (${diffs.length})`), snapshotDiffs(diffs));
  if (result.error) {
    box.append(
      h("h4", {}, `${result.error.type}: ${result.error.message} (in ${result.error.phase})`),
      h(
        "ol",
        { class: "frames", "data-testid": "error-frames" },
        ...result.error.frames.map((f) =>
          h("li", {}, `${f.file}:${f.line} in ${f.function}`, f.code ? pre(f.code, "code") : null),
        ),
      ),
    );
  }
  const log = tail.length ? tail.join("\n") : (result.logTail ?? "");
  if (log) box.append(h("h4", {}, "Log tail"), pre(log, "log-tail"));
  return box;
}

type SnapshotDiff = NonNullable<ScriptResult["snapshot"]>["diffs"][number];

/** Each difference from the stored snapshot: where, what, expected vs got, the tolerance. */
function snapshotDiffs(diffs: readonly SnapshotDiff[]): HTMLElement {
  const rows = diffs.map((d) => [
    d.path,
    d.what,
    shown(d.expected),
    shown(d.got),
    d.tolerance === null ? "exact" : `±${d.tolerance}`,
  ]);
  const list = table(["where", "what", "expected", "got", "tolerance"], rows);
  list.setAttribute("data-testid", "snapshot-diffs");
  return list;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function sourceText(source: ScriptNode["env"][number]["source"]): string {
  if (!source) return "—";
  if (source.kind === "config") return `config ${source.field}`;
  if (source.kind === "interface-default") return "interface default";
  if (source.kind === "engine") return `dagtest (${source.why})`;
  return source.kind;
}

export function section(title: string, ...content: HTMLElement[]): HTMLElement {
  return h("section", {}, h("h3", {}, title), ...content);
}

function kv(rows: readonly (readonly [string, string])[]): HTMLElement {
  return h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): HTMLElement {
  if (!rows.length) return h("p", { class: "muted" }, "none");
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}

function pre(text: string, cls: string): HTMLElement {
  return h("pre", { class: cls }, text);
}

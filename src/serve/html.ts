/**
 * HTML views of a plan, a script's requirements, the factory summary and a run's results: what a
 * notebook shows for them (`_repr_html_` in the Python package asks the engine for these). Plain
 * tables with inline styles, so they render the same in Jupyter, VS Code and a saved notebook.
 */
import type { FactorySummary, ScriptTestingRequirements } from "../factory/types.js";
import type { Plan, PlanNode } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import type { HtmlView } from "./protocol.js";

const STYLE =
  "border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px;margin:4px 0 10px 0";
const CELL = "border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top";
const COLOURS: Readonly<Record<string, string>> = {
  passed: "#1a7f37",
  cached: "#1a7f37",
  complete: "#1a7f37",
  "auto-configured": "#1a7f37",
  "auto-configurable": "#0969da",
  failed: "#cf222e",
  pending: "#9a6700",
  partial: "#9a6700",
  skipped: "#6e7781",
  cancelled: "#6e7781",
  phantom: "#6e7781",
};

export function escapeHtml(text: unknown): string {
  return String(text ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function badge(state: string): string {
  const colour = COLOURS[state] ?? "#24292f";
  return `<span style="color:${colour};font-weight:bold">${escapeHtml(state)}</span>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "<p><i>(none)</i></p>";
  const th = head.map((h) => `<th style="${CELL};background:#f6f8fa">${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td style="${CELL}">${c}</td>`).join("")}</tr>`);
  return `<table style="${STYLE}"><thead><tr>${th}</tr></thead><tbody>${body.join("")}</tbody></table>`;
}

function section(title: string, body: string): string {
  return `<div class="dagtest-view"><h4 style="margin:6px 0">${escapeHtml(title)}</h4>${body}</div>`;
}

export function planHtml(plan: Plan): string {
  const s = plan.summary;
  const head = `<p>${s.nodes} nodes: ${s.scripts} scripts, ${s.phantoms} phantoms, ${s.wires} wires, ${s.questions} open questions, ${s.errors} errors, ${s.warnings} warnings. Ready: ${badge(s.ready ? "complete" : "pending")}</p>`;
  const rows = plan.order.flatMap((name) => {
    const node = plan.nodes.find((n) => n.name === name);
    return node ? [nodeRow(node)] : [];
  });
  const questions = table(
    ["node", "question", "answer at"],
    plan.questions.map((q) => [
      escapeHtml(q.node),
      escapeHtml(q.message),
      `<code>${escapeHtml(q.answerAt)}</code>`,
    ]),
  );
  const problems = table(
    ["severity", "code", "node", "message", "hint"],
    plan.problems.map((p) => [
      badge(p.severity === "error" ? "failed" : "pending"),
      escapeHtml(p.code),
      escapeHtml(p.node ?? ""),
      escapeHtml(p.message),
      escapeHtml(p.hint),
    ]),
  );
  return section(
    "dagtest plan",
    `${head}${table(["node", "kind", "script / reason", "inputs"], rows)}<b>Open questions</b>${questions}<b>Problems</b>${problems}`,
  );
}

function nodeRow(node: PlanNode): string[] {
  if (node.kind === "phantom")
    return [escapeHtml(node.name), badge("phantom"), escapeHtml(`${node.reason}: ${node.detail}`), ""];
  const inputs = node.inputs.map((i) => {
    const p = i.provision;
    const from =
      p.kind === "wire"
        ? `← ${p.from.node}.${p.from.port}`
        : p.kind === "user" || p.kind === "code-dir"
          ? `= ${p.path}`
          : p.kind === "config"
            ? `config ${p.field}`
            : "(nothing)";
    return `${escapeHtml(i.name)} ${escapeHtml(from)}`;
  });
  return [escapeHtml(node.name), "script", escapeHtml(node.script.path), inputs.join("<br>")];
}

export function requirementsHtml(req: ScriptTestingRequirements): string {
  const inputs = table(
    ["input", "required", "default", "source"],
    req.inputs.map((i) => [
      escapeHtml(i.name),
      String(i.required),
      escapeHtml(i.defaultValue ?? ""),
      escapeHtml(i.source),
    ]),
  );
  const outputs = table(
    ["output", "type"],
    req.outputs.map((o) => [escapeHtml(o.name), escapeHtml(o.dataType)]),
  );
  const env = table(
    ["env var", "value", "source", "config field"],
    req.env.map((e) => [
      escapeHtml(e.name),
      escapeHtml(e.defaultValue ?? ""),
      escapeHtml(e.source),
      escapeHtml(e.configField ?? ""),
    ]),
  );
  const args = table(
    ["job arg", "flag", "value", "source"],
    req.jobArgs.map((a) => [
      escapeHtml(a.name),
      escapeHtml(a.flag),
      escapeHtml(a.defaultValue ?? ""),
      escapeHtml(a.source),
    ]),
  );
  const missing = table(
    ["missing", "message", "answer at"],
    req.missing.map((m) => [
      escapeHtml(m.field),
      escapeHtml(m.message),
      `<code>${escapeHtml(m.answerAt)}</code>`,
    ]),
  );
  const head = `<p><code>${escapeHtml(req.scriptPath)}</code> (${escapeHtml(req.stepType ?? "?")}${req.jobType ? `, ${escapeHtml(req.jobType)}` : ""}); frameworks: ${escapeHtml(req.frameworks.join(", ") || "none")}; auto-configurable: ${badge(req.autoConfigurable ? "auto-configurable" : "pending")}</p>`;
  return section(
    `requirements of ${req.node}`,
    `${head}${inputs}${outputs}${env}${args}<b>Missing</b>${missing}`,
  );
}

export function summaryHtml(summary: FactorySummary): string {
  const scripts = table(
    ["script", "state"],
    Object.entries(summary.states).map(([name, state]) => [escapeHtml(name), badge(state)]),
  );
  const phantoms = table(
    ["phantom", "reason"],
    summary.skippedNodes.map((s) => [escapeHtml(s.node), escapeHtml(`${s.reason}: ${s.detail}`)]),
  );
  const ready = summary.readyForTesting ? badge("complete") : badge("pending");
  const head = `<p>${summary.totalScripts} scripts; pending: ${escapeHtml(summary.pendingScripts.join(", ") || "none")}; plan errors: ${summary.planErrors}; ready for testing: ${ready}</p>`;
  return section("dagtest testing factory", `${head}${scripts}<b>Phantoms</b>${phantoms}`);
}

export function resultsHtml(result: RunResult): string {
  const s = result.summary;
  const head = `<p>${badge(result.pipelineSuccess ? "passed" : "failed")} ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.cached} cached, ${s.cancelled} cancelled in ${(result.durationMs / 1000).toFixed(1)} s${result.interrupted ? " (interrupted)" : ""}. Run folder: <code>${escapeHtml(result.runDir)}</code></p>`;
  const nodes = table(
    ["node", "status", "time", "message"],
    result.executionOrder.flatMap((name) => {
      const r = result.scriptResults[name];
      if (!r) return [];
      const tail =
        r.status === "failed" && r.logTail ? `<pre style="margin:2px 0">${escapeHtml(r.logTail)}</pre>` : "";
      return [[escapeHtml(name), badge(r.status), `${r.durationMs} ms`, `${escapeHtml(r.message)}${tail}`]];
    }),
  );
  const flows = table(
    ["from", "to", "files", "rows × columns", "message"],
    result.dataFlowResults.map((d) => [
      escapeHtml(`${d.from.node}.${d.from.port}`),
      escapeHtml(`${d.to.node}.${d.to.port}`),
      String(d.files),
      d.rows === null ? "" : `${d.rows} × ${d.columns?.length ?? 0}`,
      escapeHtml(d.message),
    ]),
  );
  return section("dagtest results", `${head}${nodes}<b>Data flow</b>${flows}`);
}

/** The view asked for; the value is what the engine sent the client earlier, sent back. */
export function renderHtml(view: HtmlView, value: unknown): string {
  switch (view) {
    case "plan":
      return planHtml(value as Plan);
    case "requirements":
      return requirementsHtml(value as ScriptTestingRequirements);
    case "summary":
      return summaryHtml(value as FactorySummary);
    case "results":
      return resultsHtml(value as RunResult);
  }
}

/** The run tab: the timeline, every node's result, and what flowed on every wire. */
import type { DataFlowResult } from "./api.js";
import { h, ms } from "./dom.js";
import { section } from "./panel.js";
import type { ViewModel } from "./state.js";
import { timeline } from "./timeline.js";

export function runTab(model: ViewModel, select: (node: string) => void): HTMLElement {
  const flows = model.runResult?.dataFlowResults ?? [...model.edgeChecks.values()].flat();
  return h(
    "div",
    { "data-testid": "run-tab" },
    section("Timeline", timeline(model.results.values(), select)),
    section("Nodes", resultsTable(model, select)),
    section("Data on the wires", flowsTable(flows)),
  );
}

function head(...columns: string[]): HTMLElement {
  return h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, c))));
}

function resultsTable(model: ViewModel, select: (node: string) => void): HTMLElement {
  const rows = model.plan.order.flatMap((name) => {
    const r = model.results.get(name);
    if (!r) return [];
    const row = h(
      "tr",
      { class: "clickable", "data-result": name },
      h("td", {}, name),
      h("td", { class: `state-${r.status}` }, r.status + (r.reason ? ` (${r.reason})` : "")),
      h("td", {}, ms(r.durationMs)),
      h("td", {}, r.message),
    );
    row.addEventListener("click", () => select(name));
    return [row];
  });
  if (!rows.length) return h("p", { class: "muted" }, "no results yet");
  return h("table", {}, head("node", "status", "time", "message"), h("tbody", {}, ...rows));
}

function flowsTable(flows: readonly DataFlowResult[]): HTMLElement {
  if (!flows.length) return h("p", { class: "muted" }, "no wire checked yet");
  const rows = flows.map((f) =>
    h(
      "tr",
      {},
      h("td", {}, `${f.from.node}.${f.from.port} → ${f.to.node}.${f.to.port}`),
      h("td", {}, `${f.files} (${f.bytes} B)`),
      h("td", {}, f.rows === null ? "—" : `${f.rows} × ${f.columns?.length ?? 0}`),
      h("td", { class: f.ok ? "state-passed" : "state-failed" }, f.ok ? "ok" : f.message),
    ),
  );
  return h("table", {}, head("wire", "files", "rows × columns", "check"), h("tbody", {}, ...rows));
}

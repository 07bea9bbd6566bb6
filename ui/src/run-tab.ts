/** The run tab: the timeline, every node's result, and what flowed on every wire. */
import { h, ms } from "./dom.js";
import { section } from "./panel.js";
import type { ViewModel } from "./state.js";
import { timeline } from "./timeline.js";

export function runTab(model: ViewModel, select: (node: string) => void): HTMLElement {
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
  const flows = model.runResult?.dataFlowResults ?? [...model.edgeChecks.values()].flat();
  return h(
    "div",
    { "data-testid": "run-tab" },
    section("Timeline", timeline(model.results.values(), select)),
    section(
      "Nodes",
      rows.length
        ? h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ...["node", "status", "time", "message"].map((c) => h("th", {}, c)))),
            h("tbody", {}, ...rows),
          )
        : h("p", { class: "muted" }, "no results yet"),
    ),
    section(
      "Data on the wires",
      flows.length
        ? h(
            "table",
            {},
            h(
              "thead",
              {},
              h("tr", {}, ...["wire", "files", "rows × columns", "check"].map((c) => h("th", {}, c))),
            ),
            h(
              "tbody",
              {},
              ...flows.map((f) =>
                h(
                  "tr",
                  {},
                  h("td", {}, `${f.from.node}.${f.from.port} → ${f.to.node}.${f.to.port}`),
                  h("td", {}, `${f.files} (${f.bytes} B)`),
                  h("td", {}, f.rows === null ? "—" : `${f.rows} × ${f.columns?.length ?? 0}`),
                  h("td", { class: f.ok ? "state-passed" : "state-failed" }, f.ok ? "ok" : f.message),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "no wire checked yet"),
    ),
  );
}

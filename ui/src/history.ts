/** Run history (`.dagtest/runs/`): open any run, and see what changed between two. */
import type { Api, RunListEntry, RunView } from "./api.js";
import { h, ms } from "./dom.js";
import { table } from "./panel.js";

export function historyView(
  api: Api,
  runs: readonly RunListEntry[],
  open: (view: RunView) => void,
): HTMLElement {
  if (!runs.length) return h("p", { class: "muted" }, "no runs yet");
  const pick = (label: string, index: number) =>
    h(
      "select",
      { "aria-label": label },
      ...runs.map((r, i) => {
        const o = h("option", { value: r.runId }, r.runId);
        if (i === index) o.selected = true;
        return o;
      }),
    );
  const a = pick("older run", Math.min(1, runs.length - 1));
  const b = pick("newer run", 0);
  const out = h("div", { "data-testid": "run-diff" });
  const diff = h("button", { type: "button", "data-testid": "run-diff-button" }, "What changed");
  diff.addEventListener("click", () => {
    void Promise.all([
      api.get<RunView>(`/api/runs/${a.value}`),
      api.get<RunView>(`/api/runs/${b.value}`),
    ]).then(([x, y]) => out.replaceChildren(runDiff(x, y)));
  });
  const list = h(
    "ul",
    { class: "runs", "data-testid": "run-list" },
    ...runs.map((r) => {
      const item = h(
        "li",
        { class: r.pipelineSuccess ? "ok" : "bad" },
        h("button", { type: "button" }, r.runId),
        ` ${r.pipelineSuccess ? "passed" : "failed"} · ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.cached} cached · ${ms(r.durationMs)}`,
      );
      item
        .querySelector("button")
        ?.addEventListener("click", () => void api.get<RunView>(`/api/runs/${r.runId}`).then(open));
      return item;
    }),
  );
  return h("div", {}, list, h("div", { class: "diff-pick" }, a, " → ", b, diff), out);
}

/** Nodes whose status, reason or duration changed, and wires whose data changed. */
export function runDiff(a: RunView, b: RunView): HTMLElement {
  const ra = a.result?.scriptResults ?? {};
  const rb = b.result?.scriptResults ?? {};
  const names = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  const rows = names.flatMap((n) => {
    const x = ra[n];
    const y = rb[n];
    const sx = x ? `${x.status}${x.reason ? ` (${x.reason})` : ""}` : "—";
    const sy = y ? `${y.status}${y.reason ? ` (${y.reason})` : ""}` : "—";
    const why = y?.ranBecause.filter((r) => r !== "never ran with the cache").join("; ") ?? "";
    if (sx === sy && !why) return [];
    return [[n, `${sx} ${x ? ms(x.durationMs) : ""}`, `${sy} ${y ? ms(y.durationMs) : ""}`, why]];
  });
  const flows = (v: RunView) =>
    new Map(
      (v.result?.dataFlowResults ?? []).map((d) => [
        `${d.from.node}.${d.from.port}→${d.to.node}.${d.to.port}`,
        `${d.rows ?? "?"}×${d.columns?.length ?? "?"} ${d.bytes} B`,
      ]),
    );
  const fa = flows(a);
  const fb = flows(b);
  const wireRows = [...fb].filter(([k, v]) => fa.get(k) !== v).map(([k, v]) => [k, fa.get(k) ?? "—", v]);
  return h(
    "div",
    {},
    h("h4", {}, `${a.result?.runId ?? "?"} → ${b.result?.runId ?? "?"}`),
    h("h4", {}, "nodes that changed"),
    table(["node", "before", "after", "why it ran"], rows),
    h("h4", {}, "data on the wires that changed"),
    table(["wire", "before", "after"], wireRows),
  );
}

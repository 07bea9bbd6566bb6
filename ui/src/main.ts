/**
 * The dagtest UI: one client for `dagtest ui` (live, through the token-guarded API) and for
 * report.html (the run embedded in the page, no network).
 */
import { Api, type ReportData, type RunEvent, type RunListEntry, type RunView, type UiState } from "./api.js";
import { h, ms } from "./dom.js";
import { configureForm } from "./form.js";
import { GraphView } from "./graph.js";
import { historyView } from "./history.js";
import { nodePanel, section, setWireScores } from "./panel.js";
import { runTab } from "./run-tab.js";
import { ViewModel } from "./state.js";

type Tab = "node" | "run" | "history";

class App {
  readonly model: ViewModel;
  readonly graph: GraphView;
  readonly side = h("aside", { class: "side" });
  readonly summary = h("span", { class: "summary", "data-testid": "summary" });
  readonly toolbar = h("div", { class: "toolbar" });
  selected: string | null = null;
  tab: Tab = "node";
  running = false;
  runs: RunListEntry[] = [];
  /** One line shown above the node panel (e.g. what was just saved); cleared on the next selection. */
  flash = "";

  constructor(
    plan: UiState["plan"],
    readonly api: Api | null,
  ) {
    this.model = new ViewModel(plan);
    const canvas = h("main", { class: "canvas" });
    document.body.append(
      h("header", {}, h("strong", {}, "dagtest"), this.summary, this.toolbar),
      h("div", { class: "body" }, canvas, this.side),
    );
    this.graph = new GraphView(canvas, this.model, (n) => this.select(n));
    this.#buttons();
  }

  #buttons(): void {
    const button = (label: string, testid: string, onClick: () => void) => {
      const b = h("button", { type: "button", "data-testid": testid }, label);
      b.addEventListener("click", onClick);
      this.toolbar.append(b);
      return b;
    };
    button("Fit", "fit", () => this.graph.fit());
    button("+", "zoom-in", () => this.graph.zoom(1.25));
    button("−", "zoom-out", () => this.graph.zoom(0.8));
    for (const tab of ["node", "run", "history"] as const)
      button(tab[0]!.toUpperCase() + tab.slice(1), `tab-${tab}`, () => this.show(tab));
    if (!this.api) return;
    button("Run all", "run-all", () => this.run({}));
    button("Run only", "run-only", () => this.selected && this.run({ only: [this.selected] }));
    button("Run from", "run-from", () => this.selected && this.run({ from: [this.selected] }));
    button("Run to", "run-to", () => this.selected && this.run({ to: [this.selected] }));
    button("Stop", "stop", () => void this.api?.post("/api/stop", {}));
  }

  redraw(): void {
    const plan = this.model.plan;
    const scores = new Map(
      plan.wires.map((w) => [
        `${w.to.node}.${w.to.port}`,
        w.score === null ? " (set by you)" : ` (score ${w.score.toFixed(2)})`,
      ]),
    );
    setWireScores((node, port) => scores.get(`${node}.${port}`) ?? "");
    this.graph.draw();
    this.graph.highlight(this.selected);
    this.updateSummary();
    this.show(this.tab);
  }

  updateSummary(): void {
    const s = this.model.plan.summary;
    const r = this.model.runResult;
    const run = r
      ? ` · run ${r.runId}: ${r.pipelineSuccess ? "passed" : "failed"} (${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.cached} cached, ${ms(r.durationMs)})`
      : this.running
        ? " · running…"
        : "";
    this.summary.textContent = `${s.nodes} nodes: ${s.scripts} scripts, ${s.phantoms} phantoms, ${s.questions} open questions, ${s.errors} errors${run}`;
  }

  select(node: string | null): void {
    this.flash = "";
    this.selected = node;
    this.graph.highlight(node);
    if (node) this.show("node");
  }

  show(tab: Tab): void {
    this.tab = tab;
    this.side.replaceChildren(this.#tabContent(tab));
  }

  #tabContent(tab: Tab): HTMLElement {
    if (tab === "run") return runTab(this.model, (n) => this.select(n));
    if (tab === "history") {
      if (!this.api) return h("p", { class: "muted" }, "history is shown by `dagtest ui`");
      return section(
        "Runs",
        historyView(this.api, this.runs, (view) => this.openRun(view)),
      );
    }
    const node = this.selected ? this.model.node(this.selected) : undefined;
    if (!node) return h("p", { class: "muted" }, "Select a node.");
    const panel = nodePanel(this.model, node);
    if (this.flash) panel.prepend(h("p", { class: "flash", "data-testid": "flash" }, this.flash));
    if (this.api && !this.running)
      panel.append(
        configureForm(this.api, node, this.model.plan.questions, (state) => {
          this.flash = `saved ${node.name} to ${state.specFile}`;
          this.load(state);
        }),
      );
    return panel;
  }

  openRun(view: RunView): void {
    this.model.loadRun(view);
    this.redraw();
  }

  load(state: UiState): void {
    this.running = state.running;
    this.model.outlook = state.outlook;
    this.model.plan = state.plan;
    if (state.run) this.model.loadRun(state.run);
    this.redraw();
  }

  run(selection: { only?: string[]; from?: string[]; to?: string[] }): void {
    void this.api?.post("/api/run", selection).catch((e: Error) => alert(e.message));
  }

  onEvent(event: RunEvent): void {
    if (event.type === "runStart") {
      this.running = true;
      this.model.apply(event);
      this.redraw();
      return;
    }
    const node = this.model.apply(event);
    if (node) this.graph.refreshNode(node);
    if (event.type === "runEnd") {
      this.running = false;
      void this.refreshRuns();
    }
    if (event.type === "runEnd" || event.type === "nodeEnd") this.updateSummary();
    if (
      (node && node === this.selected) ||
      event.type === "runEnd" ||
      (this.tab === "run" && event.type === "nodeEnd")
    )
      this.show(this.tab);
  }

  async refreshRuns(): Promise<void> {
    if (!this.api) return;
    this.runs = await this.api.get<RunListEntry[]>("/api/runs");
    if (this.tab === "history") this.show("history");
  }
}

function painted(): void {
  requestAnimationFrame(() => {
    performance.mark("dagtest-painted");
    document.body.dataset.ready = "1";
  });
}

async function boot(): Promise<void> {
  const embedded = document.getElementById("dagtest-data");
  if (embedded) {
    const data = JSON.parse(embedded.textContent ?? "{}") as ReportData;
    const app = new App(data.plan, null);
    app.model.loadRun(data);
    app.redraw();
    app.graph.fit(true);
    app.show("run");
    painted();
    return;
  }
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const api = new Api(token);
  const state = await api.get<UiState>("/api/state");
  const app = new App(state.plan, api);
  app.load(state);
  app.graph.fit(true);
  painted();
  api.events((data) => app.onEvent(data as RunEvent));
  await app.refreshRuns();
}

boot().catch((error: Error) => {
  document.body.append(h("pre", { class: "fatal" }, `dagtest UI failed to start: ${error.message}`));
});

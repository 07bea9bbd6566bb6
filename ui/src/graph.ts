/**
 * The pipeline as an SVG picture: nodes coloured by kind and state, one wire per DAG edge
 * labelled with its ports and scores (and the data-flow check once it comes), pan (drag), zoom
 * (wheel), fit, and the selected node's upstream and downstream highlighted.
 */
import type { Plan } from "./api.js";
import { ms, s } from "./dom.js";
import { type Layout, layoutDag, NODE_H, NODE_W } from "./layout.js";
import { edgeKey, type ViewModel } from "./state.js";

interface Transform {
  x: number;
  y: number;
  k: number;
}

export class GraphView {
  readonly svg: SVGSVGElement;
  readonly #root: SVGElement;
  readonly #nodes = new Map<string, SVGElement>();
  readonly #edges = new Map<string, SVGElement>();
  #layout: Layout | null = null;
  #t: Transform = { x: 0, y: 0, k: 1 };

  constructor(
    host: HTMLElement,
    private readonly model: ViewModel,
    private readonly onSelect: (node: string | null) => void,
  ) {
    this.svg = s("svg", { class: "graph", "data-testid": "graph" }) as SVGSVGElement;
    this.#root = s("g");
    this.svg.append(this.#root);
    host.append(this.svg);
    this.#panZoom();
  }

  /** Lay out and draw the plan anew (after a configure, or a run of another plan). */
  draw(): void {
    const plan = this.model.plan;
    const byName = new Map(plan.nodes.map((n) => [n.name, n]));
    this.#layout = layoutDag({
      layers: plan.layers,
      upstream: (n) => byName.get(n)?.upstream ?? [],
      downstream: (n) => byName.get(n)?.downstream ?? [],
    });
    this.#root.replaceChildren();
    this.#nodes.clear();
    this.#edges.clear();
    const edges = s("g", { class: "edges" });
    const nodes = s("g", { class: "nodes" });
    this.#root.append(edges, nodes);
    const labels = wireLabels(plan);
    for (const node of plan.nodes) {
      for (const up of node.upstream)
        edges.append(this.#edge(up, node.name, labels.get(edgeKey(up, node.name))));
    }
    for (const node of plan.nodes) nodes.append(this.#node(node.name));
    this.refresh();
  }

  #edge(from: string, to: string, label: string | undefined): SVGElement {
    const a = this.#layout?.positions.get(from);
    const b = this.#layout?.positions.get(to);
    const g = s("g", { class: "edge", "data-edge": `${from}->${to}` });
    if (!a || !b) return g;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(40, (x2 - x1) / 2);
    g.append(s("path", { d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}` }));
    const text = s("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle" });
    text.textContent = label ?? "";
    g.append(text);
    this.#edges.set(edgeKey(from, to), g);
    return g;
  }

  #node(name: string): SVGElement {
    const p = this.#layout?.positions.get(name) ?? { x: 0, y: 0 };
    const g = s("g", { class: "node", transform: `translate(${p.x},${p.y})`, "data-node": name });
    g.append(s("rect", { width: NODE_W, height: NODE_H, rx: 6 }));
    const title = s("text", { x: 10, y: 19, class: "name" });
    title.textContent = name.length > 28 ? `${name.slice(0, 27)}…` : name;
    const sub = s("text", { x: 10, y: 36, class: "sub" });
    const tip = s("title");
    tip.textContent = name;
    g.append(title, sub, tip);
    g.addEventListener("click", (e) => {
      e.stopPropagation();
      this.onSelect(name);
    });
    this.#nodes.set(name, g);
    return g;
  }

  /** Re-colour every node and wire from the model (cheap: attributes only). */
  refresh(): void {
    for (const node of this.model.plan.nodes) this.refreshNode(node.name);
  }

  refreshNode(name: string): void {
    const g = this.#nodes.get(name);
    const node = this.model.node(name);
    if (!g || !node) return;
    const state = this.model.stateOf(node);
    g.setAttribute("class", `node kind-${node.kind} state-${state}`);
    g.setAttribute("data-state", state);
    const sub = g.querySelector(".sub");
    const result = this.model.results.get(name);
    const needsData = node.kind === "phantom" && this.model.plan.questions.some((q) => q.node === name);
    const label = node.kind === "phantom" ? `${node.reason}${needsData ? " · needs data" : ""}` : state;
    if (sub) sub.textContent = subtitle(label, result?.durationMs);
    for (const up of node.upstream) this.#refreshEdge(up, name);
  }

  #refreshEdge(from: string, to: string): void {
    const g = this.#edges.get(edgeKey(from, to));
    const checks = this.model.edgeChecks.get(edgeKey(from, to));
    if (!g || !checks) return;
    const ok = checks.every((c) => c.ok);
    g.classList.toggle("checked-ok", ok);
    g.classList.toggle("checked-bad", !ok);
    const rows = checks.map((c) =>
      c.rows === null ? `${c.files} files` : `${c.rows}×${c.columns?.length ?? 0}`,
    );
    const text = g.querySelector("text");
    if (text && !text.textContent?.includes("✓"))
      text.textContent += `  ${ok ? "✓" : "✗"} ${rows.join(", ")}`;
  }

  /** Highlight `name`, everything upstream and downstream of it; null clears. */
  highlight(name: string | null): void {
    this.svg.classList.toggle("has-selection", name !== null);
    const lit = name ? related(this.model.plan, name) : new Set<string>();
    for (const [n, g] of this.#nodes) {
      g.classList.toggle("lit", lit.has(n));
      g.classList.toggle("selected", n === name);
    }
    for (const [key, g] of this.#edges) {
      const [from, to] = key.split("\u0000") as [string, string];
      g.classList.toggle("lit", lit.has(from) && lit.has(to));
    }
  }

  /** The whole picture in view; with `readable`, never so small that names cannot be read (then from the left). */
  fit(readable = false): void {
    const layout = this.#layout;
    const box = this.svg.getBoundingClientRect();
    if (!layout || box.width === 0) return;
    const whole = Math.min(1.2, (box.width - 40) / layout.width, (box.height - 40) / layout.height);
    const k = readable ? Math.max(whole, Math.min(0.75, (box.height - 40) / layout.height)) : whole;
    const x = layout.width * k > box.width ? 20 : (box.width - layout.width * k) / 2;
    this.#t = { k, x, y: (box.height - layout.height * k) / 2 };
    this.#apply();
  }

  zoom(factor: number, cx?: number, cy?: number): void {
    const box = this.svg.getBoundingClientRect();
    const x = cx ?? box.width / 2;
    const y = cy ?? box.height / 2;
    const k = Math.min(4, Math.max(0.05, this.#t.k * factor));
    this.#t = { k, x: x - ((x - this.#t.x) * k) / this.#t.k, y: y - ((y - this.#t.y) * k) / this.#t.k };
    this.#apply();
  }

  #apply(): void {
    this.#root.setAttribute("transform", `translate(${this.#t.x},${this.#t.y}) scale(${this.#t.k})`);
  }

  #panZoom(): void {
    let drag: { x: number; y: number; moved: boolean } | null = null;
    this.svg.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
    });
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.#t.x += e.clientX - drag.x;
      this.#t.y += e.clientY - drag.y;
      drag = { x: e.clientX, y: e.clientY, moved: true };
      this.#apply();
    });
    this.svg.addEventListener("pointerup", () => {
      drag = null;
    });
    this.svg.addEventListener("click", (e) => {
      if (e.target === this.svg) this.onSelect(null);
    });
    this.svg.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const box = this.svg.getBoundingClientRect();
        this.zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - box.left, e.clientY - box.top);
      },
      { passive: false },
    );
  }
}

function subtitle(state: string, durationMs: number | undefined): string {
  return durationMs ? `${state} · ${ms(durationMs)}` : state;
}

/** Per DAG edge: its wires as `out→in score`, joined. */
function wireLabels(plan: Plan): Map<string, string> {
  const labels = new Map<string, string[]>();
  for (const w of plan.wires) {
    const key = edgeKey(w.from.node, w.to.node);
    const score = w.score === null ? "set" : w.score.toFixed(2);
    labels.set(key, [...(labels.get(key) ?? []), `${w.from.port}→${w.to.port} ${score}`]);
  }
  return new Map([...labels].map(([k, v]) => [k, v.length > 2 ? `${v[0]} +${v.length - 1}` : v.join(", ")]));
}

/** The node, its ancestors and its descendants. */
function related(plan: Plan, name: string): Set<string> {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const seen = new Set([name]);
  for (const dir of ["upstream", "downstream"] as const) {
    const stack = [name];
    while (stack.length) {
      for (const next of byName.get(stack.pop()!)?.[dir] ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
  }
  return seen;
}

import { describe, expect, it } from "vitest";
import { xgboostCompleteE2e } from "../../tests/helpers/cursus.js";
import type { Dag } from "../model/dag.js";
import { adjacency, ancestors, descendants, generations, topologicalOrder } from "./topology.js";

function dag(nodes: string[], edges: [string, string][]): Dag {
  return { nodes, edges, file: null, description: null };
}

function orderOf(d: Dag): readonly string[] {
  const result = topologicalOrder(d);
  if (!result.ok) throw new Error(`unexpected cycle ${result.cycle.join(" → ")}`);
  return result.order;
}

function cycleOf(d: Dag): readonly string[] {
  const result = topologicalOrder(d);
  if (result.ok) throw new Error(`expected a cycle, got order ${result.order.join(", ")}`);
  return result.cycle;
}

/** cursus `shared_dags/xgboost/complete_e2e.dag.json`, nodes and edges in the file's order. */
const XGBOOST_COMPLETE_E2E = dag(xgboostCompleteE2e.nodes, xgboostCompleteE2e.edges);

describe("topologicalOrder", () => {
  it("gives the order cursus's PipelineDAG documents for xgboost/complete_e2e", () => {
    expect(orderOf(XGBOOST_COMPLETE_E2E)).toEqual(xgboostCompleteE2e.cursusOrder);
  });

  it("breaks ties between independent nodes by declaration order", () => {
    expect(orderOf(dag(["b", "a", "c"], []))).toEqual(["b", "a", "c"]);
    expect(orderOf(dag(["c", "b", "a"], []))).toEqual(["c", "b", "a"]);
  });

  it("is a FIFO queue: a node freed earlier runs earlier, whatever its declared position", () => {
    // Seeds a, b; popping a frees d before popping b frees c.
    expect(
      orderOf(
        dag(
          ["a", "b", "c", "d"],
          [
            ["a", "d"],
            ["b", "c"],
          ],
        ),
      ),
    ).toEqual(["a", "b", "d", "c"]);
  });

  it("visits successors in edge order, not node order", () => {
    expect(
      orderOf(
        dag(
          ["s", "x", "y"],
          [
            ["s", "y"],
            ["s", "x"],
          ],
        ),
      ),
    ).toEqual(["s", "y", "x"]);
    expect(
      orderOf(
        dag(
          ["s", "x", "y"],
          [
            ["s", "x"],
            ["s", "y"],
          ],
        ),
      ),
    ).toEqual(["s", "x", "y"]);
  });

  it("puts every edge's source before its target", () => {
    const order = orderOf(XGBOOST_COMPLETE_E2E);
    for (const [from, to] of XGBOOST_COMPLETE_E2E.edges) {
      expect(order.indexOf(from), `${from} → ${to}`).toBeLessThan(order.indexOf(to));
    }
  });
});

describe("cycle reporting", () => {
  function expectClosedPathOfEdges(d: Dag, cycle: readonly string[]): void {
    expect(cycle.length).toBeGreaterThanOrEqual(2);
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    const edges = new Set(d.edges.map(([a, b]) => `${a}->${b}`));
    for (let i = 0; i + 1 < cycle.length; i++) {
      expect(edges.has(`${cycle[i]}->${cycle[i + 1]}`), `${cycle[i]} → ${cycle[i + 1]} is an edge`).toBe(
        true,
      );
    }
    // A simple cycle: no node repeats except the closing one.
    expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
  }

  it("reports a three-node cycle as a closed path of real edges", () => {
    const d = dag(
      ["a", "b", "c"],
      [
        ["a", "b"],
        ["b", "c"],
        ["c", "a"],
      ],
    );
    const cycle = cycleOf(d);
    expectClosedPathOfEdges(d, cycle);
    // It starts at the cycle's first-declared node, so it reads as written.
    expect(cycle).toEqual(["a", "b", "c", "a"]);
    expect(cycleOf(dag(["c", "b", "a"], d.edges as [string, string][]))).toEqual(["c", "a", "b", "c"]);
  });

  it("leaves out nodes that are only downstream or upstream of the cycle", () => {
    const d = dag(
      ["start", "d", "b", "c", "end"],
      [
        ["start", "b"],
        ["b", "c"],
        ["c", "b"],
        ["c", "d"],
        ["d", "end"],
      ],
    );
    const cycle = cycleOf(d);
    expectClosedPathOfEdges(d, cycle);
    expect(cycle).toEqual(["b", "c", "b"]);
  });

  it("reports a self-loop", () => {
    expect(
      cycleOf(
        dag(
          ["a", "b"],
          [
            ["a", "b"],
            ["b", "b"],
          ],
        ),
      ),
    ).toEqual(["b", "b"]);
  });

  it("is deterministic: the same DAG always reports the same cycle", () => {
    const d = dag(
      ["p", "q", "r", "s"],
      [
        ["p", "q"],
        ["q", "p"],
        ["r", "s"],
        ["s", "r"],
      ],
    );
    const first = cycleOf(d);
    expectClosedPathOfEdges(d, first);
    for (let i = 0; i < 5; i++) expect(cycleOf(d)).toEqual(first);
    // The walk starts at the first blocked node in declared order, so the p/q cycle is reported.
    expect(first).toEqual(["p", "q", "p"]);
  });
});

describe("generations", () => {
  it("layers a diamond into source, branches, sink", () => {
    const d = dag(
      ["split", "left", "right", "join"],
      [
        ["split", "left"],
        ["split", "right"],
        ["left", "join"],
        ["right", "join"],
      ],
    );
    expect(generations(orderOf(d), adjacency(d))).toEqual([["split"], ["left", "right"], ["join"]]);
  });

  it("places a node by its longest path from a source", () => {
    const d = dag(
      ["a", "b", "c"],
      [
        ["a", "b"],
        ["b", "c"],
        ["a", "c"],
      ],
    );
    expect(generations(orderOf(d), adjacency(d))).toEqual([["a"], ["b"], ["c"]]);
  });

  it("keeps disconnected nodes in the first layer, in order", () => {
    const d = dag(["x", "y", "z"], [["y", "z"]]);
    expect(generations(orderOf(d), adjacency(d))).toEqual([["x", "y"], ["z"]]);
  });

  it("gives every node exactly one layer, and no layer holds an edge", () => {
    const layers = generations(orderOf(XGBOOST_COMPLETE_E2E), adjacency(XGBOOST_COMPLETE_E2E));
    expect(layers.flat().sort()).toEqual([...XGBOOST_COMPLETE_E2E.nodes].sort());
    const layerOf = new Map(layers.flatMap((layer, i) => layer.map((n) => [n, i] as const)));
    for (const [from, to] of XGBOOST_COMPLETE_E2E.edges) {
      expect(layerOf.get(from)!).toBeLessThan(layerOf.get(to)!);
    }
  });
});

describe("adjacency, ancestors and descendants", () => {
  const d = dag(
    ["a", "b", "c", "d", "lonely"],
    [
      ["a", "c"],
      ["a", "b"],
      ["b", "d"],
      ["c", "d"],
    ],
  );
  const adj = adjacency(d);

  it("lists successors and predecessors in edge order", () => {
    expect(adj.successors.get("a")).toEqual(["c", "b"]);
    expect(adj.predecessors.get("d")).toEqual(["b", "c"]);
    expect(adj.successors.get("lonely")).toEqual([]);
  });

  it("collects every transitive ancestor, never the node itself", () => {
    expect(ancestors("d", adj)).toEqual(new Set(["a", "b", "c"]));
    expect(ancestors("b", adj)).toEqual(new Set(["a"]));
    expect(ancestors("a", adj)).toEqual(new Set());
  });

  it("collects every transitive descendant, never the node itself", () => {
    expect(descendants("a", adj)).toEqual(new Set(["b", "c", "d"]));
    expect(descendants("d", adj)).toEqual(new Set());
    expect(descendants("lonely", adj)).toEqual(new Set());
  });
});

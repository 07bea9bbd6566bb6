/**
 * Pure graph algorithms over a validated DAG: deterministic topological order (Kahn, FIFO seeded
 * in declared order, successors in edge order: the order cursus's PipelineDAG gives), cycle
 * paths, generations, and ancestor sets.
 */
import type { Dag } from "../model/dag.js";
import { appendAll } from "../util/arrays.js";

export interface Adjacency {
  readonly successors: ReadonlyMap<string, readonly string[]>;
  readonly predecessors: ReadonlyMap<string, readonly string[]>;
}

/**
 * Loading a DAG checks its order and planning needs it again: both are computed once per DAG
 * object (a DAG is read-only once loaded).
 */
const adjacencies = new WeakMap<Dag, Adjacency>();
const orders = new WeakMap<Dag, TopoResult>();

/** Successor and predecessor lists, each in edge declaration order. */
export function adjacency(dag: Dag): Adjacency {
  let adj = adjacencies.get(dag);
  if (!adj) {
    adj = buildAdjacency(dag);
    adjacencies.set(dag, adj);
  }
  return adj;
}

function buildAdjacency(dag: Dag): Adjacency {
  const successors = new Map<string, string[]>(dag.nodes.map((n) => [n, []]));
  const predecessors = new Map<string, string[]>(dag.nodes.map((n) => [n, []]));
  for (const [from, to] of dag.edges) {
    successors.get(from)?.push(to);
    predecessors.get(to)?.push(from);
  }
  return { successors, predecessors };
}

export type TopoResult =
  | { readonly ok: true; readonly order: readonly string[] }
  | { readonly ok: false; readonly cycle: readonly string[] };

/** Kahn's algorithm with declared-order tie-breaks; on a cycle, one cycle as a closed path. */
export function topologicalOrder(dag: Dag, adj: Adjacency = adjacency(dag)): TopoResult {
  if (adj !== adjacencies.get(dag)) return kahn(dag, adj);
  let result = orders.get(dag);
  if (!result) {
    result = kahn(dag, adj);
    orders.set(dag, result);
  }
  return result;
}

function kahn(dag: Dag, adj: Adjacency): TopoResult {
  const indegree = new Map<string, number>();
  for (const node of dag.nodes) indegree.set(node, adj.predecessors.get(node)?.length ?? 0);
  const queue = dag.nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    order.push(node);
    for (const next of adj.successors.get(node) ?? []) {
      const remaining = indegree.get(next)! - 1;
      indegree.set(next, remaining);
      if (remaining === 0) queue.push(next);
    }
  }
  if (order.length === dag.nodes.length) return { ok: true, order };
  const done = new Set(order);
  return {
    ok: false,
    cycle: findCycle(
      dag.nodes.filter((n) => !done.has(n)),
      adj,
    ),
  };
}

/**
 * A cycle among `remaining` (nodes Kahn could not emit), as `[a, b, ..., a]`. Every remaining node
 * has a remaining predecessor, so walking predecessors must revisit a node; the walk starts at the
 * first remaining node in declared order, which makes the reported cycle deterministic.
 */
function findCycle(remaining: readonly string[], adj: Adjacency): string[] {
  const inRemaining = new Set(remaining);
  const seenAt = new Map<string, number>();
  const walk: string[] = [];
  let node = remaining[0]!;
  while (!seenAt.has(node)) {
    seenAt.set(node, walk.length);
    walk.push(node);
    node = (adj.predecessors.get(node) ?? []).find((p) => inRemaining.has(p))!;
  }
  const cycle = walk.slice(seenAt.get(node)!).reverse();
  // Start at the cycle's first-declared node, so `a → b → c → a` reads as the user wrote it.
  const first = remaining.find((n) => cycle.includes(n))!;
  const start = cycle.indexOf(first);
  const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
  return [...rotated, rotated[0]!];
}

/** Topological generations: layer k holds the nodes whose longest path from a source has k edges. */
export function generations(order: readonly string[], adj: Adjacency): string[][] {
  const depth = new Map<string, number>();
  const layers: string[][] = [];
  for (const node of order) {
    let d = 0;
    for (const p of adj.predecessors.get(node) ?? []) d = Math.max(d, (depth.get(p) ?? 0) + 1);
    depth.set(node, d);
    const layer = layers[d];
    if (layer) layer.push(node);
    else layers[d] = [node];
  }
  return layers;
}

/** Every node reachable backwards from `node` (not including it). */
export function ancestors(node: string, adj: Adjacency): Set<string> {
  return reach(node, adj.predecessors);
}

/** Every node reachable forwards from `node` (not including it). */
export function descendants(node: string, adj: Adjacency): Set<string> {
  return reach(node, adj.successors);
}

function reach(start: string, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(start) ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    appendAll(stack, next.get(node) ?? []);
  }
  return seen;
}

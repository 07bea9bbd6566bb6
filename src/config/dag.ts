/**
 * Loading a pipeline DAG: cursus shared-DAG files (`{dag: {nodes, edges}, metadata}`), cursus
 * serializer output (`{version, dag, statistics}`), and plain `{nodes, edges}` JSON or YAML.
 * Every rejection carries a stable code, the file and line, and a hint.
 */
import { DagtestError, type SourceLocation } from "../errors.js";
import { adjacency, topologicalOrder } from "../graph/topology.js";
import type { Dag } from "../model/dag.js";
import { isObject } from "../util/guards.js";
import { didYouMean } from "../util/suggest.js";
import { loadSource, type PathSegment, type SourceDocument } from "./source.js";

/**
 * The largest DAG dagtest plans. A plan costs about 30 KB of memory per node (50,000 nodes:
 * 17 s, 1.7 GB, a 300 MB `plan --json`); past this, planning would run out of memory or
 * produce a JSON longer than a JavaScript string may be, so the DAG is refused up front.
 */
export const MAX_DAG_NODES = 50_000;
/** Ten edges per node on average at the largest size. */
export const MAX_DAG_EDGES = 500_000;

/** Read and validate a DAG file. */
export function loadDag(file: string): Dag {
  return dagFromDocument(loadSource(file, "DAG file"));
}

interface RawDag {
  readonly nodes: unknown;
  readonly edges: unknown;
  readonly base: readonly PathSegment[];
  readonly description: string | null;
}

/** Validate a parsed DAG document (also used for DAGs written inline in dagtest.yaml). */
export function dagFromDocument(doc: SourceDocument, base: readonly PathSegment[] = []): Dag {
  const raw = unwrap(doc, base);
  const nodes = readNodes(doc, raw);
  const edges = readEdges(doc, raw, new Set(nodes));
  const dag: Dag = { nodes, edges, file: doc.file, description: raw.description };
  const topo = topologicalOrder(dag, adjacency(dag));
  if (!topo.ok) {
    const [from, to] = [topo.cycle[0]!, topo.cycle[1]!];
    const index = edges.findIndex(([a, b]) => a === from && b === to);
    throw new DagtestError({
      code: "DAGTEST_CYCLE",
      message: `The DAG has a cycle: ${topo.cycle.join(" → ")}.`,
      hint: "A pipeline must run in one direction: remove or reverse one of the edges on this path.",
      location: doc.locate([...raw.base, "edges", index]),
    });
  }
  return dag;
}

function unwrap(doc: SourceDocument, base: readonly PathSegment[]): RawDag {
  const top = valueAt(doc.data, base);
  if (!isObject(top)) invalid(doc, base, "The DAG file must hold an object with `nodes` and `edges`.");
  // cursus's reader accepts any version whose major component is 1 ("1.0.0", "1.2", 1).
  if (top.version !== undefined && String(top.version).split(".")[0]?.trim() !== "1") {
    invalid(
      doc,
      [...base, "version"],
      `DAG format version ${String(top.version)} is not supported (major 1 is).`,
    );
  }
  if (isObject(top.dag)) {
    const inner = top.dag;
    const description = typeof inner.description === "string" ? inner.description : null;
    return { nodes: inner.nodes, edges: inner.edges, base: [...base, "dag"], description };
  }
  if (top.nodes === undefined && top.dag === undefined) {
    invalid(doc, base, "The DAG file has neither `dag.nodes` (cursus) nor `nodes` (plain).");
  }
  const description = typeof top.description === "string" ? top.description : null;
  return { nodes: top.nodes, edges: top.edges ?? [], base, description };
}

function readNodes(doc: SourceDocument, raw: RawDag): string[] {
  const at = [...raw.base, "nodes"];
  if (!Array.isArray(raw.nodes)) invalid(doc, at, "`nodes` must be a list of node names.");
  if (raw.nodes.length === 0) {
    throw new DagtestError({
      code: "DAGTEST_DAG_EMPTY",
      message: "The DAG has no nodes.",
      hint: "List the pipeline's steps under `nodes`.",
      location: doc.locate(at),
    });
  }
  if (raw.nodes.length > MAX_DAG_NODES) tooLarge(doc, `${raw.nodes.length.toLocaleString("en")} nodes`);
  const seen = new Map<string, number>();
  raw.nodes.forEach((node, i) => {
    if (typeof node !== "string" || node.length === 0)
      invalid(doc, [...at, i], "Every node must be a non-empty string.");
    checkNodeName(node, () => doc.locate([...at, i]));
    const first = seen.get(node);
    if (first !== undefined) {
      throw new DagtestError({
        code: "DAGTEST_DUPLICATE_NODE",
        message: `Node "${node}" is declared twice (entries ${first + 1} and ${i + 1} of nodes).`,
        hint: "Remove the second entry, or give the two steps different names.",
        location: doc.locate([...at, i]),
      });
    }
    seen.set(node, i);
  });
  return raw.nodes as string[];
}

/**
 * Node names become folder names under `.dagtest/runs/<run>/<node>/`, so anything that could
 * escape or nest a folder is refused up front. The location is computed only on failure: finding a
 * line re-reads the file with the YAML parser, far too slow to do per node of a large DAG.
 */
export function checkNodeName(node: string, location?: () => SourceLocation): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  const bad = /[/\\\u0000-\u001f]/.test(node) || node === "." || node.includes("..");
  if (!bad) return;
  throw new DagtestError({
    code: "DAGTEST_BAD_NODE_NAME",
    message: `Node name "${node}" contains '/', '\\', '..' or a control character, so it cannot name a folder.`,
    hint: "Rename the node using letters, digits, '_' and '-' (e.g. replace '/' with '_').",
    ...(location ? { location: location() } : {}),
  });
}

function readEdges(doc: SourceDocument, raw: RawDag, nodes: ReadonlySet<string>): [string, string][] {
  const at = [...raw.base, "edges"];
  if (!Array.isArray(raw.edges)) invalid(doc, at, "`edges` must be a list of [from, to] pairs.");
  if (raw.edges.length > MAX_DAG_EDGES) tooLarge(doc, `${raw.edges.length.toLocaleString("en")} edges`);
  return raw.edges.map((edge, i) => {
    const pair = edgePair(edge);
    if (!pair)
      invalid(doc, [...at, i], "Every edge must be a pair [from, to] of node names (or {from, to}).");
    pair.forEach((end, side) => {
      if (nodes.has(end)) return;
      throw new DagtestError({
        code: "DAGTEST_UNKNOWN_EDGE_NODE",
        message: `Edge ${i + 1} (${pair[0]} → ${pair[1]}) names "${end}", which is not a declared node.${didYouMean(end, nodes)}`,
        hint: "Declare the node under `nodes`, or fix the spelling in the edge.",
        location: doc.locate([...at, i, side]),
      });
    });
    return pair;
  });
}

function edgePair(edge: unknown): [string, string] | null {
  if (
    Array.isArray(edge) &&
    edge.length === 2 &&
    typeof edge[0] === "string" &&
    typeof edge[1] === "string"
  ) {
    return edge as [string, string]; // the parsed pair itself: a large DAG has many
  }
  if (isObject(edge) && typeof edge.from === "string" && typeof edge.to === "string")
    return [edge.from, edge.to];
  return null;
}

function tooLarge(doc: SourceDocument, size: string): never {
  throw new DagtestError({
    code: "DAGTEST_DAG_TOO_LARGE",
    message: `The DAG has ${size}; dagtest plans at most ${MAX_DAG_NODES.toLocaleString("en")} nodes and ${MAX_DAG_EDGES.toLocaleString("en")} edges (a plan takes about 30 KB of memory per node).`,
    hint: "Test a part of the pipeline: a DAG file with the sub-graph you are working on (the steps and their upstream).",
    // Not located: finding a line would mean parsing the whole file again with positions.
    location: { file: doc.file },
  });
}

function invalid(doc: SourceDocument, at: readonly PathSegment[], message: string): never {
  throw new DagtestError({
    code: "DAGTEST_DAG_INVALID",
    message,
    hint: 'A DAG file looks like {"dag": {"nodes": ["A", "B"], "edges": [["A", "B"]]}} or {"nodes": [...], "edges": [...]}.',
    location: doc.locate(at),
  });
}

function valueAt(data: unknown, at: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of at)
    value = isObject(value) || Array.isArray(value) ? (value as never)[segment] : undefined;
  return value;
}

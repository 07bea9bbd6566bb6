/** `--only`, `--from`, `--to`: which nodes a partial run runs (Kedro's Pipeline.filter family). */
import { DagtestError } from "../errors.js";
import type { Dag } from "../model/dag.js";
import { didYouMean } from "../util/suggest.js";
import { adjacency, ancestors, descendants } from "./topology.js";

export interface Selection {
  readonly only?: readonly string[];
  readonly from?: readonly string[];
  readonly to?: readonly string[];
}

/** The selected nodes, or null when nothing narrows the run. */
export function selectNodes(dag: Dag, selection: Selection): Set<string> | null {
  const only = selection.only ?? [];
  const from = selection.from ?? [];
  const to = selection.to ?? [];
  if (only.length + from.length + to.length === 0) return null;
  const known = new Set(dag.nodes);
  for (const [flag, names] of [
    ["--only", only],
    ["--from", from],
    ["--to", to],
  ] as const) {
    for (const name of names) {
      if (!known.has(name)) {
        throw new DagtestError({
          code: "DAGTEST_USAGE",
          message: `${flag} names "${name}", which is not a node of the DAG.${didYouMean(name, known)}`,
          hint: "Use node names as `dagtest plan` lists them; separate several with commas.",
        });
      }
    }
  }
  const adj = adjacency(dag);
  let selected = new Set(dag.nodes);
  if (from.length > 0)
    selected = intersect(selected, new Set(from.flatMap((n) => [n, ...descendants(n, adj)])));
  if (to.length > 0) selected = intersect(selected, new Set(to.flatMap((n) => [n, ...ancestors(n, adj)])));
  if (only.length > 0)
    selected = from.length + to.length > 0 ? new Set([...selected, ...only]) : new Set(only);
  return selected;
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

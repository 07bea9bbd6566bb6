/** Profiling what flows along the wires out of a node (or out of the phantoms, at run start). */
import type { Plan, PortRef } from "../model/plan.js";
import type { DataFlowResult, DataProfile } from "../model/run.js";
import { profileTree } from "./data-checks.js";
import { producedPath } from "./jobs.js";

/** Where a producer's data is when not in the run folder, and what is already known of it. */
export interface EdgeSources {
  /** A cached producer's data may still be in the cache, not yet copied into the run folder. */
  readonly elsewhere?: (ref: PortRef) => string | null;
  /** A profile stored with the producer's cache entry: the same bytes, not read again. */
  readonly known?: (ref: PortRef) => DataProfile | null;
}

/** Checks of every wire whose producer is `producer`; with null, every wire fed by a phantom. */
export function edgeChecks(
  plan: Plan,
  runDir: string,
  producer: string | null,
  sources: EdgeSources = {},
): DataFlowResult[] {
  const phantoms = new Set(plan.nodes.filter((n) => n.kind === "phantom").map((n) => n.name));
  // A wire between two phantoms carries nothing this run can see.
  const wires = plan.wires.filter((w) =>
    producer === null ? phantoms.has(w.from.node) && !w.intoPhantom : w.from.node === producer,
  );
  return wires.map((wire) => {
    const at = sources.elsewhere?.(wire.from) ?? producedPath(plan, runDir, wire.from);
    if (!at) {
      return {
        from: wire.from,
        to: wire.to,
        path: "",
        ok: false,
        files: 0,
        bytes: 0,
        rows: null,
        columns: null,
        formats: [],
        message: "no data supplied for this phantom output",
      };
    }
    const profile = sources.known?.(wire.from) ?? profileTree(at);
    const ok = profile.files > 0;
    const rows =
      profile.rows === null
        ? ""
        : `, ${profile.rows} rows${profile.columns ? ` × ${profile.columns.length} columns` : ""}`;
    return {
      from: wire.from,
      to: wire.to,
      path: at,
      ok,
      ...profile,
      message: ok
        ? `${profile.files} file(s), ${profile.bytes} bytes${rows}`
        : "empty: no file flows along this wire",
    };
  });
}

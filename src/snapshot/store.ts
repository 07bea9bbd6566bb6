/**
 * `dagtest.snap.json`, next to dagtest.yaml: read with its version checked, written atomically
 * with every key sorted (nodes, ports, files) and two-space indentation, so that a change shows in
 * a diff as the few lines that changed.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DagtestError } from "../errors.js";
import { type NodeSnapshot, SNAPSHOT_VERSION, type SnapshotFile } from "../model/snapshot.js";

export const SNAPSHOT_FILE = "dagtest.snap.json";

/** Where the snapshots of the project whose dagtest.yaml is in `baseDir` live. */
export function snapshotPath(baseDir: string): string {
  return path.join(baseDir, SNAPSHOT_FILE);
}

/** The stored snapshots, or null when the file does not exist. */
export function readSnapshots(file: string): SnapshotFile | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DagtestError({
      code: "DAGTEST_SNAPSHOT_INVALID",
      message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      hint: "Resolve the merge conflict or edit in it, or delete it and run `dagtest run --update-snapshots`.",
      location: { file },
    });
  }
  const version = (parsed as { snapshotVersion?: unknown } | null)?.snapshotVersion;
  const nodes = (parsed as { nodes?: unknown } | null)?.nodes;
  if (version !== SNAPSHOT_VERSION || !nodes || typeof nodes !== "object") {
    throw new DagtestError({
      code: "DAGTEST_SNAPSHOT_INVALID",
      message: `${file} has snapshotVersion ${JSON.stringify(version)} (this dagtest reads ${SNAPSHOT_VERSION}) or no "nodes" object.`,
      hint: "Record the snapshots again with `dagtest run --update-snapshots`.",
      location: { file },
    });
  }
  return parsed as SnapshotFile;
}

/** Write the snapshots, sorted, through a temp file and a rename. */
export function writeSnapshots(file: string, nodes: Readonly<Record<string, NodeSnapshot>>): void {
  const sorted: Record<string, NodeSnapshot> = {};
  for (const node of Object.keys(nodes).sort()) {
    const ports = nodes[node]!;
    sorted[node] = Object.fromEntries(
      Object.keys(ports)
        .sort()
        .map((port) => [
          port,
          Object.fromEntries(
            Object.keys(ports[port]!)
              .sort()
              .map((f) => [f, ports[port]![f]!]),
          ),
        ]),
    );
  }
  const body: SnapshotFile = { snapshotVersion: SNAPSHOT_VERSION, nodes: sorted };
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(temp, file);
}

/** Remove the snapshots of nodes that are not in `keep`; returns the names removed. */
export function pruneSnapshots(file: string, keep: ReadonlySet<string>): string[] {
  const stored = readSnapshots(file);
  if (!stored) return [];
  const removed = Object.keys(stored.nodes).filter((n) => !keep.has(n));
  if (removed.length > 0) {
    const nodes = Object.fromEntries(Object.entries(stored.nodes).filter(([n]) => keep.has(n)));
    writeSnapshots(file, nodes);
  }
  return removed.sort();
}

/**
 * The text of a node's failed output checks, shared by the console summary and JUnit: each
 * snapshot difference as one line (where, which statistic, expected vs got, the tolerance), or
 * the loader's error of a model that did not load.
 */
import type { ScriptResult } from "../model/run.js";
import type { SnapshotDiff } from "../model/snapshot.js";

/** Reasons whose explanation is the check's findings, not the script's log. */
export const CHECK_REASONS: ReadonlySet<string> = new Set([
  "snapshot-mismatch",
  "snapshot-missing",
  "model-unloadable",
]);

/** At most this many differences per node in a report (run.json has them all). */
const SHOWN = 30;

export function checkFindings(r: ScriptResult): string[] {
  if (r.reason === "snapshot-mismatch" && r.snapshot) {
    const lines = r.snapshot.diffs.slice(0, SHOWN).map(diffLine);
    const rest = r.snapshot.diffs.length - SHOWN;
    if (rest > 0) lines.push(`... and ${rest} more difference(s) (run.json has them all)`);
    return lines;
  }
  if (r.reason === "model-unloadable") return [...r.checks];
  if (r.reason === "snapshot-missing")
    return ["run `dagtest run --update-snapshots` locally, review and commit dagtest.snap.json"];
  return [];
}

/** `processed_data/train.csv#amount.mean  mean: expected 3.2, got 3.5 (tolerance ±3.2e-6)`. */
export function diffLine(d: SnapshotDiff): string {
  const tol = d.tolerance === null ? "" : ` (tolerance ±${d.tolerance})`;
  return `${d.path}  ${d.what}: expected ${show(d.expected)}, got ${show(d.got)}${tol}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

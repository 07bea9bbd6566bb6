/**
 * The snapshots of one run: what is stored in `dagtest.snap.json`, compared with each node's
 * outputs as it passes (or is restored from the cache), and what this run records. Written once,
 * at the end of the run, and never in CI mode.
 *
 * When snapshots are on: `--update-snapshots`, `--ci`, `snapshots:` in dagtest.yaml, or a snapshot
 * file next to dagtest.yaml. Without any of them a run does not touch snapshots (CI=true alone
 * does not turn them on: a project that does not use snapshots is not failed for lacking them).
 */
import { existsSync } from "node:fs";
import type {
  NodeSnapshot,
  SnapshotOutcome,
  SnapshotRunMode,
  SnapshotSettings,
  Tolerance,
} from "../model/snapshot.js";
import { parquetColumns } from "../python/inspect.js";
import { compareSnapshots } from "../snapshot/compare.js";
import { snapshotOutputs } from "../snapshot/profile.js";
import { readSnapshots, writeSnapshots } from "../snapshot/store.js";

export interface SnapshotOptions {
  readonly file: string;
  readonly settings: SnapshotSettings;
  readonly mode: SnapshotRunMode;
  /** The scripts' interpreter (Parquet statistics through its pyarrow). */
  readonly python: string;
}

export class SnapshotBook {
  readonly #options: SnapshotOptions;
  readonly #stored: Readonly<Record<string, NodeSnapshot>>;
  readonly #recorded = new Map<string, NodeSnapshot>();

  /** Null when this run does not use snapshots. */
  static open(options: SnapshotOptions): SnapshotBook | null {
    const { mode, settings, file } = options;
    if (!mode.update && !mode.required && !settings.configured && !existsSync(file)) return null;
    return new SnapshotBook(options);
  }

  private constructor(options: SnapshotOptions) {
    this.#options = options;
    this.#stored = readSnapshots(options.file)?.nodes ?? {};
  }

  /** The node's tolerances: the global ones, then its own (its `ignore` adds to the global list). */
  tolerance(node: string): Tolerance & { skip: boolean } {
    const { settings } = this.#options;
    const own = settings.nodes[node] ?? {};
    return {
      relTol: own.relTol ?? settings.relTol,
      absTol: own.absTol ?? settings.absTol,
      ignore: [...settings.ignore, ...(own.ignore ?? [])],
      skip: own.skip ?? false,
    };
  }

  /** Compare (or record) a node's outputs; null when the node's snapshot is skipped. */
  async check(node: string, outputs: Readonly<Record<string, string>>): Promise<SnapshotOutcome | null> {
    const tolerance = this.tolerance(node);
    if (tolerance.skip) return null;
    const got = await snapshotOutputs(outputs, (files) => parquetColumns(this.#options.python, files));
    const stored = this.#stored[node];
    const { mode } = this.#options;
    if (mode.update && !mode.ci) {
      this.#recorded.set(node, got);
      return { status: stored ? "updated" : "recorded", diffs: [] };
    }
    if (!stored) {
      if (mode.ci) return { status: "missing", diffs: [] };
      this.#recorded.set(node, got);
      return { status: "recorded", diffs: [] };
    }
    const diffs = compareSnapshots(stored, got, tolerance);
    return { status: diffs.length > 0 ? "mismatch" : "matched", diffs };
  }

  /** Write what this run recorded into the file (stored snapshots of other nodes kept). */
  save(): { written: boolean; recorded: readonly string[] } {
    if (this.#recorded.size === 0 || this.#options.mode.ci) return { written: false, recorded: [] };
    writeSnapshots(this.#options.file, { ...this.#stored, ...Object.fromEntries(this.#recorded) });
    return { written: true, recorded: [...this.#recorded.keys()].sort() };
  }
}

/** The message and reason of a snapshot outcome that fails its node, else null. */
export function snapshotFailure(
  node: string,
  outcome: SnapshotOutcome,
): { reason: "snapshot-mismatch" | "snapshot-missing"; message: string } | null {
  if (outcome.status === "missing")
    return {
      reason: "snapshot-missing",
      message: `no snapshot of ${node} in dagtest.snap.json (CI mode never writes one): run \`dagtest run --update-snapshots\` locally and commit dagtest.snap.json`,
    };
  if (outcome.status !== "mismatch") return null;
  const first = outcome.diffs[0]!;
  const more = outcome.diffs.length > 1 ? ` (and ${outcome.diffs.length - 1} more)` : "";
  return {
    reason: "snapshot-mismatch",
    message: `outputs differ from the snapshot: ${describeDiff(first)}${more}; if intended, run \`dagtest run --update-snapshots\``,
  };
}

/** `processed_data/train.csv#amount.mean: expected 3.2, got 3.5 (tolerance 3.2e-6)`. */
export function describeDiff(diff: SnapshotOutcome["diffs"][number]): string {
  const tol = diff.tolerance === null ? "" : ` (tolerance ${diff.tolerance})`;
  return `${diff.path} ${diff.what}: expected ${short(diff.expected)}, got ${short(diff.got)}${tol}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

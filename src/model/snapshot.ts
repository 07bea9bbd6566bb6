/**
 * What a snapshot holds (`dagtest.snap.json`, next to dagtest.yaml) and what a comparison finds.
 * Plain, sorted data so that a snapshot reads well in a code review and diffs line by line.
 */

export const SNAPSHOT_VERSION = 1;

/** Per column of a table: its type and null count, then numeric or categorical statistics. */
export type ColumnSummary =
  | {
      readonly type: "number";
      readonly nulls: number;
      readonly min: number | null;
      readonly max: number | null;
      readonly mean: number | null;
      readonly std: number | null;
    }
  | {
      readonly type: "string" | "boolean";
      readonly nulls: number;
      readonly distinct: number;
      /** The most frequent values, `[value, count]`, most frequent first (ties by value). */
      readonly top: readonly (readonly [string, number])[];
    }
  | { readonly type: "other"; readonly nulls: number | null };

/** One file of an output port. */
export type FileSnapshot =
  | {
      readonly kind: "table";
      readonly format: string;
      readonly rows: number;
      /** Column → summary, in the file's column order (the keys of a JSON object keep it). */
      readonly columns: Readonly<Record<string, ColumnSummary>>;
      /** Set when column statistics could not be computed (a Parquet file without pyarrow). */
      readonly note?: string;
    }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "file"; readonly bytes: number; readonly sha256: string }
  | {
      readonly kind: "archive";
      /** Member path → its size and content hash (timestamps and owners left out). */
      readonly members: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
    };

/** Output port → file path (relative to the port's folder) → snapshot. */
export type NodeSnapshot = Readonly<Record<string, Readonly<Record<string, FileSnapshot>>>>;

export interface SnapshotFile {
  readonly snapshotVersion: typeof SNAPSHOT_VERSION;
  /** Node → its snapshot, nodes sorted by name. */
  readonly nodes: Readonly<Record<string, NodeSnapshot>>;
}

/** Tolerances and exclusions (dagtest.yaml `snapshots:`, then `snapshots.nodes.<n>`). */
export interface Tolerance {
  /** Relative tolerance: |got − expected| ≤ max(abs_tol, rel_tol × |expected|). */
  readonly relTol: number;
  readonly absTol: number;
  /**
   * What is not compared: a file path or glob inside the node's outputs (`port/file.csv`,
   * `port/**`), a column (`port/file.csv#column`) or a JSON pointer (`port/metrics.json#/val/auc`).
   */
  readonly ignore: readonly string[];
}

/** One difference: where, which statistic, expected vs got, the tolerance that was applied. */
export interface SnapshotDiff {
  /** `port/file`, then `#column.statistic` or `#/json/pointer`. */
  readonly path: string;
  readonly what: string;
  readonly expected: unknown;
  readonly got: unknown;
  /** The allowed difference, for numbers; null for values compared exactly. */
  readonly tolerance: number | null;
}

/** What the snapshot check did on one node (on `ScriptResult.snapshot`). */
export interface SnapshotOutcome {
  readonly status: "matched" | "mismatch" | "missing" | "recorded" | "updated";
  readonly diffs: readonly SnapshotDiff[];
}

/** dagtest.yaml `snapshots:` with defaults applied. */
export interface SnapshotSettings {
  readonly relTol: number;
  readonly absTol: number;
  readonly ignore: readonly string[];
  /** Per node: its own tolerances and exclusions (added to the global ones), or `skip`. */
  readonly nodes: Readonly<
    Record<
      string,
      {
        readonly relTol?: number;
        readonly absTol?: number;
        readonly ignore?: readonly string[];
        readonly skip?: boolean;
      }
    >
  >;
  /** `snapshots:` is in dagtest.yaml: a missing snapshot file is then a finding, not "off". */
  readonly configured: boolean;
}

export const DEFAULT_SNAPSHOT_SETTINGS: SnapshotSettings = {
  relTol: 1e-6,
  absTol: 1e-9,
  ignore: [],
  nodes: {},
  configured: false,
};

/** How one run treats snapshots (the CLI's `--update-snapshots` and `--ci`, or CI=true). */
export interface SnapshotRunMode {
  /** Record every node that passes, replacing what is stored. */
  readonly update: boolean;
  /** Never write; a node without a snapshot fails (`snapshot-missing`). */
  readonly ci: boolean;
  /** `--ci` given (not only CI=true): snapshots are checked even when no snapshot file exists. */
  readonly required: boolean;
}

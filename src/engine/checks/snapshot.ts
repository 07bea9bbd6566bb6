/**
 * The snapshot NodeCheck: a node that passed has its outputs compared with (or recorded into)
 * `dagtest.snap.json`. A difference beyond the tolerance fails it with `snapshot-mismatch` and
 * one line per difference in `checks`; in CI mode a node without a snapshot fails with
 * `snapshot-missing`.
 */
import type { SnapshotOutcome } from "../../model/snapshot.js";
import { describeDiff, type SnapshotBook, snapshotFailure } from "../snapshots.js";
import type { CheckResult, NodeCheck } from "../stages/verify.js";

/** At most this many differences are listed in a node's `checks` (all are in `snapshot.diffs`). */
const LISTED_DIFFS = 20;

export function snapshotCheck(book: SnapshotBook): NodeCheck {
  return {
    name: "snapshot",
    arm: () => async (ran) => {
      if (ran.verdict.status !== "passed") return { kind: "ok" };
      const outputs = ran.exec.outputs ?? ran.prepared.job.outputPaths;
      const outcome = await book.check(ran.prepared.node.name, outputs);
      return outcome ? snapshotResult(ran.prepared.node.name, outcome) : { kind: "ok" };
    },
  };
}

export function snapshotResult(node: string, outcome: SnapshotOutcome): CheckResult {
  const failed = snapshotFailure(node, outcome);
  if (!failed) return { kind: "snapshot", outcome, failure: null };
  const lines = outcome.diffs.slice(0, LISTED_DIFFS).map((d) => `snapshot: ${describeDiff(d)}`);
  const rest = outcome.diffs.length - LISTED_DIFFS;
  if (rest > 0) lines.push(`snapshot: ... and ${rest} more (run.json has them all)`);
  return {
    kind: "snapshot",
    outcome,
    failure: {
      reason: failed.reason,
      message: failed.message,
      details: lines.length > 0 ? lines : [failed.message],
    },
  };
}

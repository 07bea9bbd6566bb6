/**
 * Stage 3, verify: turn what the executor saw into the node's verdict, then run the node's
 * checks in order. A check is armed before the node runs (to take what it compares with, e.g.
 * the inputs' hashes) and returns a typed `CheckResult` after. A failing check turns a passed
 * node into a failed one; the first failure wins. Snapshot checks and others are one more
 * entry in the list (`defaultChecks`).
 */
import type { ExecResult } from "../../exec/types.js";
import type { Plan, PortRef } from "../../model/plan.js";
import type { DataFlowResult, FrameworkInfo, NodeReason, ScriptResult } from "../../model/run.js";
import type { SnapshotOutcome } from "../../model/snapshot.js";
import { traceMark } from "../../util/trace-timings.js";
import { classify, tailOf, type Verdict } from "../classify.js";
import { emptyOutputs, hashTree } from "../data-checks.js";
import { edgeChecks } from "../edges.js";
import type { PreparedNode } from "./prepare.js";

/** What a check found. `ok` is nothing to report. */
export type CheckResult =
  | { readonly kind: "ok" }
  | { readonly kind: "input-modified"; readonly ports: readonly string[] }
  | { readonly kind: "missing-output"; readonly ports: readonly string[] }
  | { readonly kind: "edge-profile"; readonly flows: readonly DataFlowResult[] }
  | {
      readonly kind: "snapshot";
      readonly outcome: SnapshotOutcome;
      /** Set when the outcome fails the node (a mismatch, or a missing snapshot in CI mode). */
      readonly failure: CheckFailure | null;
    }
  | {
      readonly kind: "framework";
      readonly info: FrameworkInfo;
      /** Set when a model artifact did not load or predict (`model-unloadable`). */
      readonly failure: CheckFailure | null;
    };

/** A finding that fails the node: its reason, one line, and the lines for `ScriptResult.checks`. */
export interface CheckFailure {
  readonly reason: NodeReason;
  readonly message: string;
  readonly details: readonly string[];
}

/** What a check sees after the node ran: the executor's report and the verdict so far. */
export interface RanNode {
  readonly prepared: PreparedNode;
  readonly exec: ExecResult;
  readonly verdict: Verdict;
}

export interface NodeCheck {
  readonly name: string;
  /** Called before the node runs; the function it returns is called after (and may be async). */
  arm(prepared: PreparedNode): (ran: RanNode) => CheckResult | Promise<CheckResult>;
}

export interface Verified {
  readonly result: ScriptResult;
  /** What flowed along the wires out of the node (only when it passed). */
  readonly flows: readonly DataFlowResult[];
}

/** No input changed while the node ran: content hashes before and after. */
export const inputsUnchanged: NodeCheck = {
  name: "inputs-unchanged",
  arm(prepared) {
    const before = Object.entries(prepared.dataInputs).map(([port, dir]) => [port, dir, hashTree(dir)]);
    return () => {
      const ports = before.filter(([, dir, hash]) => hashTree(dir!) !== hash).map(([port]) => port!);
      return ports.length > 0 ? { kind: "input-modified", ports } : { kind: "ok" };
    };
  },
};

/** Every declared output holds at least one file (checked only for a node that passed). */
export const outputsPresent: NodeCheck = {
  name: "outputs-present",
  arm: () => (ran) => {
    if (ran.verdict.status !== "passed") return { kind: "ok" };
    const ports = emptyOutputs(outputsOf(ran.prepared, ran.exec));
    return ports.length > 0 ? { kind: "missing-output", ports } : { kind: "ok" };
  },
};

/** Profile what flows along every wire out of a node that passed. */
export function edgeProfile(
  plan: Plan,
  runDir: string,
  elsewhere: (ref: PortRef) => string | null,
): NodeCheck {
  return {
    name: "edge-profile",
    arm: () => (ran) =>
      ran.verdict.status === "passed"
        ? { kind: "edge-profile", flows: edgeChecks(plan, runDir, ran.prepared.node.name, { elsewhere }) }
        : { kind: "ok" },
  };
}

/**
 * The checks of a run, in the order their verdicts take precedence: inputs untouched, outputs
 * present, the profile of every wire out of the node, then the extra ones (model artifacts load
 * back, outputs match their snapshot).
 */
export function defaultChecks(
  plan: Plan,
  runDir: string,
  elsewhere: (ref: PortRef) => string | null,
  extra: readonly NodeCheck[] = [],
): NodeCheck[] {
  // The wires are profiled before the extra checks: a node whose outputs only differ from their
  // snapshot still shows what it passed on.
  return [inputsUnchanged, outputsPresent, edgeProfile(plan, runDir, elsewhere), ...extra];
}

/** Arm every check before the node runs; the returned function verifies after. */
export function armChecks(
  checks: readonly NodeCheck[],
  prepared: PreparedNode,
): (exec: ExecResult) => Promise<Verified> {
  const armed = checks.map((check) => check.arm(prepared));
  return async (exec) => {
    const { limits } = prepared.node;
    let verdict = classify(exec, limits.timeoutMs, limits.memoryMb);
    const notes: string[] = [];
    const flows: DataFlowResult[] = [];
    const extras: Extras = {};
    for (const [i, after] of armed.entries()) {
      const found = await after({ prepared, exec, verdict });
      traceMark(prepared.node.name, `verify:${checks[i]!.name}`);
      if (found.kind === "edge-profile") for (const flow of found.flows) flows.push(flow);
      else if (found.kind === "snapshot" || found.kind === "framework") {
        if (found.kind === "snapshot") extras.snapshot = found.outcome;
        else extras.frameworkInfo = found.info;
        if (found.failure) {
          const { reason, message, details } = found.failure;
          for (const line of details) notes.push(line);
          if (verdict.status === "passed") verdict = { status: "failed", reason, message };
        }
      } else if (found.kind !== "ok") {
        notes.push(noteOf(found));
        if (verdict.status === "passed") verdict = failure(found);
      }
    }
    return { result: { ...resultOf(prepared, exec, verdict, notes), ...extras }, flows };
  };
}

type Extras = { snapshot?: SnapshotOutcome; frameworkInfo?: FrameworkInfo };

/** Where the outputs are: where the executor says, else where the job put them. */
function outputsOf(prepared: PreparedNode, exec: ExecResult): Readonly<Record<string, string>> {
  return exec.outputs ?? prepared.job.outputPaths;
}

type Finding = Extract<CheckResult, { kind: "input-modified" | "missing-output" }>;

/** The line in `ScriptResult.checks`. */
function noteOf(found: Finding): string {
  return found.kind === "input-modified"
    ? `modified its input(s) ${found.ports.join(", ")}`
    : `wrote nothing to ${found.ports.join(", ")}`;
}

function failure(found: Finding): Verdict {
  const ports = found.ports.join(", ");
  const reason: NodeReason = found.kind;
  const message =
    found.kind === "input-modified"
      ? `the script modified its input(s) ${ports} (inputs must be read-only)`
      : `the script wrote nothing to its declared output(s) ${ports}`;
  return { status: "failed", reason, message };
}

function resultOf(
  prepared: PreparedNode,
  exec: ExecResult,
  verdict: Verdict,
  checks: string[],
): ScriptResult {
  const { node, paths } = prepared;
  const failed = verdict.status !== "passed";
  return {
    node: node.name,
    status: verdict.status,
    reason: verdict.reason,
    message: verdict.message,
    startedAt: prepared.startedAt,
    durationMs: exec.durationMs,
    peakRssKb: exec.outcome?.peakRssKb ?? null,
    exitCode: exec.exitCode,
    signal: exec.signal,
    logs: { stdout: paths.stdout, stderr: paths.stderr, droppedBytes: exec.droppedBytes },
    logTail: failed ? tailOf(paths.stderr) || tailOf(paths.stdout) || null : null,
    error: exec.outcome?.status === "failed" ? exec.outcome.error : null,
    outputs: outputsOf(prepared, exec),
    guardEvents: exec.outcome?.guardEvents ?? [],
    checks,
    ranBecause: [],
    executor: exec.executor,
    ...(exec.workerNode ? { workerNode: exec.workerNode } : {}),
    ...(exec.failure ? { executorError: { code: exec.failure.code, hint: exec.failure.hint } } : {}),
    scriptMs: exec.outcome?.durationMs ?? null,
  };
}

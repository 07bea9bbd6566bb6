import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../../tests/helpers/paths.js";
import type { ExecResult } from "../../exec/types.js";
import { nodePaths } from "../../model/layout.js";
import type { ScriptNode } from "../../model/plan.js";
import type { StepJob } from "../../model/protocol.js";
import type { PreparedNode } from "./prepare.js";
import { armChecks, inputsUnchanged, type NodeCheck, outputsPresent } from "./verify.js";

afterAll(removeTempDirs);

/** A node prepared by hand: one data input `data` holding a file, one output `out`. */
function prepared(): PreparedNode & { input: string; output: string } {
  const dir = tempDir();
  const input = path.join(dir, "input");
  const output = path.join(dir, "out");
  mkdirSync(input);
  mkdirSync(output);
  writeFileSync(path.join(input, "rows.csv"), "a\n1\n");
  const node = { name: "n", limits: { timeoutMs: 1000, memoryMb: null } } as unknown as ScriptNode;
  const job = { outputPaths: { out: output } } as unknown as StepJob;
  const paths = nodePaths(dir, "n");
  return { node, job, paths, dataInputs: { data: input }, env: {}, startedAt: "", input, output };
}

const passed: ExecResult = {
  outcome: { protocolVersion: 1, status: "passed", durationMs: 1, peakRssKb: null, guardEvents: [] },
  exitCode: 0,
  signal: null,
  timedOut: false,
  cancelled: false,
  durationMs: 5,
  droppedBytes: { stdout: 0, stderr: 0 },
  spawnError: null,
  executor: "process",
} as unknown as ExecResult;

describe("verify", () => {
  const checks = [inputsUnchanged, outputsPresent];

  it("passes a node that wrote its output and left its input alone", async () => {
    const node = prepared();
    const verify = armChecks(checks, node);
    writeFileSync(path.join(node.output, "x.csv"), "b\n2\n");
    const { result } = await verify(passed);
    expect([result.status, result.reason, result.checks]).toEqual(["passed", null, []]);
  });

  it("fails a node that modified its input, and names the port", async () => {
    const node = prepared();
    const verify = armChecks(checks, node);
    appendFileSync(path.join(node.input, "rows.csv"), "2\n");
    writeFileSync(path.join(node.output, "x.csv"), "b\n2\n");
    const { result } = await verify(passed);
    expect([result.status, result.reason]).toEqual(["failed", "input-modified"]);
    expect(result.checks).toEqual(["modified its input(s) data"]);
  });

  it("fails a passed node that wrote nothing, and lets the first failure win", async () => {
    const node = prepared();
    const { result } = await armChecks(checks, node)(passed);
    expect([result.status, result.reason, result.checks]).toEqual([
      "failed",
      "missing-output",
      ["wrote nothing to out"],
    ]);
    const both = prepared();
    const verify = armChecks(checks, both);
    appendFileSync(path.join(both.input, "rows.csv"), "2\n");
    expect((await verify(passed)).result.reason).toBe("input-modified");
  });

  it("runs a custom check armed before the node and told the verdict after", async () => {
    const order: string[] = [];
    const custom: NodeCheck = {
      name: "custom",
      arm: () => {
        order.push("armed");
        return (ran) => {
          order.push(`after:${ran.verdict.status}`);
          return { kind: "ok" };
        };
      },
    };
    const node = prepared();
    const verify = armChecks([custom], node);
    order.push("ran");
    await verify(passed);
    expect(order).toEqual(["armed", "ran", "after:passed"]);
  });
});

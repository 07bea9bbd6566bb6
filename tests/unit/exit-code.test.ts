/** `dagtest run`'s exit code: 70 only when dagtest itself failed on a node, never for a script's failure. */
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/run-once.js";
import type { RunResult, ScriptResult } from "../../src/model/run.js";

const result = (reasons: (ScriptResult["reason"] | "ok")[], pipelineSuccess: boolean): RunResult =>
  ({
    pipelineSuccess,
    scriptResults: Object.fromEntries(
      reasons.map((reason, i) => [`n${i}`, { node: `n${i}`, reason: reason === "ok" ? null : reason }]),
    ),
  }) as unknown as RunResult;

describe("the exit code of a run", () => {
  const running = new AbortController().signal;
  it("is 0 when every script passed, 1 when a script failed", () => {
    expect(exitCodeOf(result(["ok", "ok"], true), running)).toBe(0);
    expect(exitCodeOf(result(["ok", "exception", "upstream-failed"], false), running)).toBe(1);
  });

  it("is 70 when dagtest itself failed on a node, even though the other nodes ran", () => {
    expect(exitCodeOf(result(["ok", "internal-error"], false), running)).toBe(70);
  });

  it("is 130 after Ctrl-C", () => {
    const controller = new AbortController();
    controller.abort();
    expect(exitCodeOf(result(["internal-error"], false), controller.signal)).toBe(130);
  });
});

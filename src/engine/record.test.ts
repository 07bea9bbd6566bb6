import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { runRecordFile } from "../model/layout.js";
import type { Plan } from "../model/plan.js";
import type { RunResult } from "../model/run.js";
import { RunRecord } from "./record.js";
import { notRun } from "./results.js";

afterAll(removeTempDirs);

describe("RunRecord.save", () => {
  it("writes exactly JSON.stringify({plan, result}, null, 2), with the plan serialized once", async () => {
    // Only `order` is read by the record; the rest stands for a plan's nesting and odd strings.
    const plan = {
      order: ["a", "b"],
      nodes: [{ name: "a", env: [{ name: "MSG", value: 'two\nlines "quoted" ✓' }], empty: [], none: {} }],
      problems: [],
      nested: { deep: [[1, 2], { x: null }] },
    } as unknown as Plan;
    const dir = tempDir();
    const record = new RunRecord(plan, "run-1", dir);
    try {
      const planSerialized = vi.spyOn(JSON, "stringify");
      record.add({
        ...notRun("a", "failed", "exit-non-zero", "it\nfailed"),
        startedAt: new Date(0).toISOString(),
      });
      record.add({ ...notRun("b", "passed", null, "ok"), startedAt: new Date(0).toISOString() });
      await record.flush();
      const planCalls = planSerialized.mock.calls.filter(([value]) => value === plan).length;
      planSerialized.mockRestore();
      const text = readFileSync(runRecordFile(dir), "utf8");
      const parsed = JSON.parse(text) as { plan: unknown; result: { scriptResults: object } };
      expect(text).toBe(JSON.stringify(parsed, null, 2));
      expect(parsed.plan).toEqual(plan);
      expect(Object.keys(parsed.result.scriptResults)).toEqual(["a", "b"]);
      expect(planCalls).toBe(1);
    } finally {
      record.close();
    }
  });

  it("writes each node's result in the background, never over a newer record, and leaves no temp file", async () => {
    const dir = tempDir();
    const plan = { order: ["a", "b", "c"] } as unknown as Plan;
    const record = new RunRecord(plan, "run-2", dir);
    try {
      const ran = (node: string) => ({
        ...notRun(node, "passed", null, "ok"),
        startedAt: new Date(0).toISOString(),
      });
      record.add(ran("a")); // a background write starts
      record.interrupted = true;
      record.save(); // at once, newer than the write in flight: that one must not land over it
      const now = () => JSON.parse(readFileSync(runRecordFile(dir), "utf8")) as { result: RunResult };
      await record.flush();
      expect(now().result.interrupted).toBe(true);
      record.add(ran("b")); // a background write starts
      record.add(ran("c")); // comes in while it runs: the next write has it
      await record.flush();
      expect(Object.keys(now().result.scriptResults)).toEqual(["a", "b", "c"]);
      expect(readdirSync(dir)).toEqual(["run.json"]);
    } finally {
      record.close();
    }
  });
});

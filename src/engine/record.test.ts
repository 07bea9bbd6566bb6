import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { runRecordFile } from "../model/layout.js";
import type { Plan } from "../model/plan.js";
import { RunRecord } from "./record.js";
import { notRun } from "./results.js";

afterAll(removeTempDirs);

describe("RunRecord.save", () => {
  it("writes exactly JSON.stringify({plan, result}, null, 2), with the plan serialized once", () => {
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
});

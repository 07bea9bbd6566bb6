import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { nodePaths } from "../model/layout.js";
import type { ScriptNode } from "../model/plan.js";
import { LayoutAhead } from "./layout-ahead.js";

afterAll(removeTempDirs);

// Only the fields LayoutAhead reads.
const node = (name: string, upstream: string[], outputs: string[]) =>
  ({
    name,
    upstream,
    inputs: upstream.map((u) => ({ name: u })),
    outputs: outputs.map((o) => ({ name: o })),
  }) as unknown as ScriptNode;

describe("LayoutAhead", () => {
  const scripts = [node("a", [], ["data"]), node("b", ["a"], ["out", "model"]), node("c", ["a"], ["x"])];

  it("lays out the folders of the nodes that wait for a running one, when they will run", async () => {
    const runDir = tempDir();
    const ahead = new LayoutAhead(runDir, scripts);
    ahead.layOutAfter("a", (next) => next.name === "b");
    await ahead.ready("b");
    await ahead.ready("c"); // not laid out: nothing to wait for
    const b = nodePaths(runDir, "b");
    for (const folder of [
      b.work,
      b.tmp,
      b.inputs,
      path.join(b.outputs, "out"),
      path.join(b.outputs, "model"),
    ])
      expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(path.dirname(b.stdout)).sort()).toEqual(["stderr.log", "stdout.log"]);
    expect(existsSync(nodePaths(runDir, "c").dir)).toBe(false);
  });

  it("removes exactly what it made for a node that does not run, and nothing put there since", async () => {
    const runDir = tempDir();
    const ahead = new LayoutAhead(runDir, scripts);
    ahead.layOutAfter("a", () => true);
    await ahead.discard("c"); // waits for the layout, then undoes it
    expect(readdirSync(runDir)).toEqual(["b"]);
    await ahead.ready("b");
    const kept = path.join(nodePaths(runDir, "b").outputs, "out", "restored.csv");
    writeFileSync(kept, "a\n1\n");
    await ahead.discard("b");
    expect(readdirSync(nodePaths(runDir, "b").dir)).toEqual(["out"]);
    expect(readdirSync(path.dirname(kept))).toEqual(["restored.csv"]);
  });
});

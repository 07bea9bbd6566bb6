/** The plan says which nodes can be cached, and why not: an untracked node taints its descendants. */
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintPlan } from "../../src/cache/fingerprint.js";
import { loadSpecProject } from "../../src/config/project.js";
import type { ScriptNode } from "../../src/model/plan.js";
import { planProject } from "../../src/plan/build.js";
import { renderPlan } from "../../src/reporters/plan-text.js";
import { removeTempDirs } from "../helpers/paths.js";
import { makeProject, script, writeOutput } from "../helpers/run-rig.js";

afterAll(removeTempDirs);

describe("cache tracking in the plan", () => {
  it("marks a node the static check cannot read, and every node downstream of it, as not cached", async () => {
    const dir = makeProject({
      nodes: {
        broken: { source: "def main(a, b, c, d):\n    return (\n", outputs: ["out"] },
        after: { source: script(writeOutput("out")), inputs: ["out"], outputs: ["out"] },
        fine: { source: script(writeOutput("out")), outputs: ["out"] },
      },
      edges: [["broken", "after"]],
    });
    const plan = await planProject(loadSpecProject(path.join(dir, "dagtest.yaml")));
    const node = (name: string) => plan.nodes.find((n) => n.name === name) as ScriptNode;
    expect(node("broken").cache).toEqual({
      tracked: false,
      reason: "the static check could not read the script",
    });
    expect(node("after").cache.tracked).toBe(false);
    expect(node("after").cache.reason).toContain("upstream broken is not tracked");
    expect(node("fine").cache).toEqual({ tracked: true, reason: null });
    const fingerprints = fingerprintPlan(plan);
    expect(fingerprints.get("after")).toMatchObject({ cacheable: false });
    expect(fingerprints.get("fine")).toMatchObject({ cacheable: true });
    // Colour codes may be on (CI=true turns picocolors on): compare the visible text.
    expect(stripVTControlCharacters(renderPlan(plan))).toContain(
      "not cached: upstream broken is not tracked",
    );
  });
});

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../tests/helpers/paths.js";
import { schedule } from "../scheduler/scheduler.js";
import { criticalPathPriority, pastDurations } from "./priority.js";

afterAll(removeTempDirs);

// source → (short, long, mid) → sink; `phantom` feeds source and is not a script.
const plan = {
  order: ["phantom", "source", "short", "long", "mid", "sink"],
  nodes: [
    { kind: "phantom" as const, name: "phantom", upstream: [] },
    { kind: "script" as const, name: "source", upstream: ["phantom"] },
    { kind: "script" as const, name: "short", upstream: ["source"] },
    { kind: "script" as const, name: "long", upstream: ["source"] },
    { kind: "script" as const, name: "mid", upstream: ["source"] },
    { kind: "script" as const, name: "sink", upstream: ["short", "long", "mid"] },
  ],
};

function writeRun(stateDir: string, id: string, results: Record<string, unknown>): void {
  const dir = path.join(stateDir, ".dagtest", "runs", id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "run.json"), JSON.stringify({ plan: {}, result: { scriptResults: results } }));
}

const ran = (node: string, durationMs: number, status = "passed") => ({
  node,
  status,
  durationMs,
  startedAt: "2026-01-01T00:00:00.000Z",
});

describe("critical-path priority from earlier runs", () => {
  it("is empty without history, so the scheduler keeps topological order", () => {
    expect(criticalPathPriority(plan, new Map()).size).toBe(0);
    expect(pastDurations(tempDir(), new Set(["source"])).size).toBe(0);
  });

  it("ranks each node by its own duration plus the longest path below it", () => {
    const durations = new Map([
      ["source", 100],
      ["short", 300],
      ["long", 1200],
      ["sink", 50],
    ]);
    const priority = criticalPathPriority(plan, durations);
    expect(priority.get("long")).toBe(1250);
    expect(priority.get("short")).toBe(350);
    // `mid` has no history: it counts as the median known duration (300, of 50/100/300/1200).
    expect(priority.get("mid")).toBe(350);
    expect(priority.get("source")).toBe(1350);
    expect(priority.has("phantom")).toBe(false);
  });

  it("reads the newest passed durations, ignoring failed, cached and not-run nodes", () => {
    const dir = tempDir();
    writeRun(dir, "20260101-000000-aaaa", { long: ran("long", 900), short: ran("short", 100) });
    writeRun(dir, "20260102-000000-bbbb", {
      long: ran("long", 1200),
      short: ran("short", 5, "failed"),
      mid: { ...ran("mid", 1, "cached") },
      sink: { ...ran("sink", 0, "skipped"), startedAt: null },
    });
    mkdirSync(path.join(dir, ".dagtest", "runs", "20260103-000000-cccc")); // interrupted before run.json
    const durations = pastDurations(dir, new Set(["long", "short", "mid", "sink"]));
    expect(Object.fromEntries(durations)).toEqual({ long: 1200, short: 100 });
  });

  it("makes the scheduler start the longest ready node first", async () => {
    const started: string[] = [];
    await schedule({
      order: ["a", "b", "c"],
      dependencies: new Map(),
      concurrency: 1,
      failFast: false,
      shuffleSeed: null,
      priority: new Map([
        ["b", 5],
        ["c", 9],
      ]),
      signal: new AbortController().signal,
      run: async (node) => {
        started.push(node);
        return "ok";
      },
      skip: () => {},
    });
    expect(started).toEqual(["c", "b", "a"]);
  });
});

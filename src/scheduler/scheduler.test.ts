/**
 * The scheduler with a fake executor the test releases by hand (as Wireit's and Lage's
 * scheduler tests do): nothing runs until the test says so, so ordering, the concurrency bound,
 * fail-fast, cancellation and a throwing executor are checked exactly, without timers.
 */
import { describe, expect, it } from "vitest";
import { type NodeVerdict, type ScheduleOptions, schedule } from "./scheduler.js";

/** A fake executor: every started node waits until the test releases it with a verdict. */
class Rig {
  readonly started: string[] = [];
  readonly skipped: { node: string; why: string; blamed: string | null }[] = [];
  readonly crashed: { node: string; error: unknown }[] = [];
  readonly #waiting = new Map<string, { release: (v: NodeVerdict) => void; fail: (e: unknown) => void }>();
  #maxRunning = 0;

  get maxRunning(): number {
    return this.#maxRunning;
  }

  get running(): string[] {
    return [...this.#waiting.keys()];
  }

  options(over: Partial<ScheduleOptions> & Pick<ScheduleOptions, "order" | "dependencies">): ScheduleOptions {
    return {
      concurrency: 2,
      failFast: false,
      shuffleSeed: null,
      signal: new AbortController().signal,
      run: (node) =>
        new Promise<NodeVerdict>((release, fail) => {
          this.started.push(node);
          this.#waiting.set(node, { release, fail });
          this.#maxRunning = Math.max(this.#maxRunning, this.#waiting.size);
        }),
      skip: (node, why, blamed) => this.skipped.push({ node, why, blamed }),
      crashed: (node, error) => this.crashed.push({ node, error }),
      ...over,
    };
  }

  /** Let `node` finish with `verdict`, then let the scheduler react. */
  async release(node: string, verdict: NodeVerdict = "ok"): Promise<void> {
    this.#take(node).release(verdict);
    await settle();
  }

  async throwIn(node: string, error: unknown): Promise<void> {
    this.#take(node).fail(error);
    await settle();
  }

  #take(node: string) {
    const waiting = this.#waiting.get(node);
    if (!waiting) throw new Error(`${node} is not running (running: ${this.running.join(", ")})`);
    this.#waiting.delete(node);
    return waiting;
  }
}

/** Let every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

// a → (b, c, d) → e
const diamond = {
  order: ["a", "b", "c", "d", "e"],
  dependencies: new Map([
    ["b", ["a"]],
    ["c", ["a"]],
    ["d", ["a"]],
    ["e", ["b", "c", "d"]],
  ]),
};

describe("schedule", () => {
  it("starts a node only after its dependencies, in topological order, at most `concurrency` at once", async () => {
    const rig = new Rig();
    const done = schedule(rig.options(diamond));
    await settle();
    expect(rig.running).toEqual(["a"]);
    await rig.release("a");
    expect(rig.running).toEqual(["b", "c"]);
    await rig.release("c");
    expect(rig.running).toEqual(["b", "d"]);
    await rig.release("b");
    expect(rig.running).toEqual(["d"]);
    await rig.release("d");
    expect(rig.running).toEqual(["e"]);
    await rig.release("e");
    expect(await done).toEqual({ stopped: false });
    expect(rig.started).toEqual(["a", "b", "c", "d", "e"]);
    expect(rig.maxRunning).toBe(2);
  });

  it("starts the higher priority first among ready nodes", async () => {
    const rig = new Rig();
    const done = schedule(rig.options({ ...diamond, concurrency: 1, priority: new Map([["d", 5]]) }));
    await rig.release("a");
    expect(rig.running).toEqual(["d"]);
    for (const node of ["d", "b", "c", "e"]) await rig.release(node);
    await done;
    expect(rig.started).toEqual(["a", "d", "b", "c", "e"]);
  });

  it("skips the descendants of a failed node and keeps running independent branches", async () => {
    const rig = new Rig();
    const done = schedule(rig.options({ ...diamond, concurrency: 3 }));
    await rig.release("a");
    await rig.release("b", "failed");
    expect(rig.skipped).toEqual([{ node: "e", why: "upstream-failed", blamed: "b" }]);
    expect(rig.running).toEqual(["c", "d"]);
    await rig.release("c");
    await rig.release("d");
    expect(await done).toEqual({ stopped: false });
    expect(rig.started).not.toContain("e");
  });

  it("with fail-fast, starts nothing new after a failure, lets running nodes end, cancels the rest", async () => {
    const rig = new Rig();
    const done = schedule(rig.options({ ...diamond, failFast: true }));
    await rig.release("a");
    await rig.release("b", "failed");
    expect(rig.running).toEqual(["c"]);
    await rig.release("c");
    expect(await done).toEqual({ stopped: true });
    expect(rig.skipped).toEqual([
      { node: "e", why: "upstream-failed", blamed: "b" },
      { node: "d", why: "cancelled", blamed: null },
    ]);
  });

  it("on cancellation, waits for the running nodes and cancels those not started", async () => {
    const rig = new Rig();
    const controller = new AbortController();
    const done = schedule(rig.options({ ...diamond, signal: controller.signal }));
    await rig.release("a");
    controller.abort();
    await settle();
    expect(rig.running).toEqual(["b", "c"]);
    await rig.release("b", "failed");
    await rig.release("c");
    expect(await done).toEqual({ stopped: true });
    expect(rig.started).toEqual(["a", "b", "c"]);
    // After the abort nothing is settled as "upstream-failed" any more: all not started are cancelled.
    expect(rig.skipped.map((s) => [s.node, s.why])).toEqual([
      ["d", "cancelled"],
      ["e", "cancelled"],
    ]);
  });

  it("counts a node whose run throws as failed, tells `crashed` the error, and goes on", async () => {
    const rig = new Rig();
    const done = schedule(rig.options({ ...diamond, concurrency: 3 }));
    await rig.release("a");
    const boom = new Error("executor exploded");
    await rig.throwIn("c", boom);
    expect(rig.crashed).toEqual([{ node: "c", error: boom }]);
    expect(rig.skipped).toEqual([{ node: "e", why: "upstream-failed", blamed: "c" }]);
    await rig.release("b");
    await rig.release("d");
    expect(await done).toEqual({ stopped: false });
  });

  it("replays the same shuffled order for the same seed", async () => {
    const orderOf = async (seed: number) => {
      const rig = new Rig();
      const wide = { order: ["a", "b", "c", "d", "e", "f"], dependencies: new Map<string, string[]>() };
      const done = schedule(rig.options({ ...wide, concurrency: 1, shuffleSeed: seed }));
      for (let i = 0; i < 6; i++) {
        await settle();
        await rig.release(rig.running[0]!);
      }
      await done;
      return rig.started;
    };
    const first = await orderOf(42);
    expect(await orderOf(42)).toEqual(first);
    expect([...first].sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
  });
});

import { describe, expect, it } from "vitest";
import type { RunEvent } from "../model/events.js";
import { ReporterBus } from "./bus.js";
import { Chores } from "./chores.js";

const later = (ms: number, done: string[], name: string) =>
  new Promise<void>((resolve) => setTimeout(() => resolve(void done.push(name)), ms));

describe("Chores", () => {
  it("waits for every chore, those added meanwhile too, and tells a failed one as a warning", async () => {
    const events: RunEvent[] = [];
    const chores = new Chores(new ReporterBus([{ onEvent: (e) => void events.push(e) }]));
    const finished: string[] = [];
    chores.add("a", "first", () =>
      later(20, finished, "first").then(() => chores.add("a", "second", () => later(20, finished, "second"))),
    );
    chores.add("b", "removing its copies", () => Promise.reject(new Error("EACCES")));
    await chores.done();
    expect(finished).toEqual(["first", "second"]);
    expect(events).toEqual([
      { type: "notice", level: "warning", message: "removing its copies failed: EACCES", node: "b" },
    ]);
  });

  it("starts nothing while a node is being prepared", async () => {
    const chores = new Chores(new ReporterBus([]));
    const order: string[] = [];
    const first = chores.preparing();
    const second = chores.preparing();
    chores.add("a", "clean-up", async () => void order.push("chore"));
    await later(10, order, "prepared one");
    first();
    first(); // twice: counted once
    await later(10, order, "prepared both");
    second();
    await chores.done();
    expect(order).toEqual(["prepared one", "prepared both", "chore"]);
  });
});

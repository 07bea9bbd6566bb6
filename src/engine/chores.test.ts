import { describe, expect, it } from "vitest";
import type { RunEvent } from "../model/events.js";
import { ReporterBus } from "./bus.js";
import { Chores } from "./chores.js";

describe("Chores", () => {
  it("waits for every chore, those added meanwhile too, and tells a failed one as a warning", async () => {
    const events: RunEvent[] = [];
    const chores = new Chores(new ReporterBus([{ onEvent: (e) => void events.push(e) }]));
    const finished: string[] = [];
    const later = (ms: number, name: string) =>
      new Promise<void>((resolve) => setTimeout(() => resolve(void finished.push(name)), ms));
    chores.add(
      "a",
      "first",
      later(20, "first").then(() => chores.add("a", "second", later(20, "second"))),
    );
    chores.add("b", "removing its copies", Promise.reject(new Error("EACCES")));
    await chores.done();
    expect(finished).toEqual(["first", "second"]);
    expect(events).toEqual([
      { type: "notice", level: "warning", message: "removing its copies failed: EACCES", node: "b" },
    ]);
  });
});

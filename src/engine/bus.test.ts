import { describe, expect, it } from "vitest";
import type { Reporter, RunEvent } from "../model/events.js";
import { ReporterBus } from "./bus.js";

const queued = (node: string): RunEvent => ({ type: "nodeQueued", node });
const nodesOf = (events: RunEvent[]) => events.map((e) => (e.type === "nodeQueued" ? e.node : e.type));

describe("the reporter bus", () => {
  it("delivers to a synchronous reporter at once, in order", () => {
    const seen: RunEvent[] = [];
    const bus = new ReporterBus([{ onEvent: (e) => void seen.push(e) }]);
    bus.emit(queued("a"));
    expect(nodesOf(seen)).toEqual(["a"]);
    bus.emit(queued("b"));
    expect(nodesOf(seen)).toEqual(["a", "b"]);
  });

  it("gives an async reporter its next event only after the last one settled, and close waits for it", async () => {
    const seen: string[] = [];
    let closed = false;
    const slow: Reporter = {
      async onEvent(e) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(e.type === "nodeQueued" ? e.node : e.type);
      },
      close: () => {
        closed = true;
      },
    };
    const bus = new ReporterBus([slow]);
    for (const node of ["a", "b", "c"]) bus.emit(queued(node));
    expect(seen).toEqual([]);
    await bus.close();
    expect(seen).toEqual(["a", "b", "c"]);
    expect(closed).toBe(true);
  });

  it("reports a throwing reporter once to the others, and keeps delivering to everyone", async () => {
    const seen: RunEvent[] = [];
    let thrown = 0;
    const bus = new ReporterBus([
      {
        onEvent() {
          thrown++;
          throw new Error("bug");
        },
        close() {
          throw new Error("close bug");
        },
      },
      { onEvent: (e) => void seen.push(e) },
    ]);
    bus.emit(queued("a"));
    bus.emit(queued("b"));
    await bus.close();
    expect(thrown).toBe(2);
    // The failure is told as soon as it happens: before the event reaches the next reporter.
    expect(nodesOf(seen)).toEqual(["notice", "a", "b"]);
    const notice = seen[0];
    expect(notice?.type === "notice" && notice.level).toBe("error");
    expect(notice?.type === "notice" && notice.message).toContain("bug");
  });

  it("hands events to reporters attached for a run only until they are detached", () => {
    const session: RunEvent[] = [];
    const run: RunEvent[] = [];
    const runReporter: Reporter = { onEvent: (e) => void run.push(e) };
    const bus = new ReporterBus([{ onEvent: (e) => void session.push(e) }]);
    bus.attach([runReporter]);
    bus.emit(queued("a"));
    bus.detach([runReporter]);
    bus.notice("warning", "between runs");
    expect(nodesOf(run)).toEqual(["a"]);
    expect(nodesOf(session)).toEqual(["a", "notice"]);
  });
});

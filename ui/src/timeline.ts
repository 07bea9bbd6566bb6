/** The run's timeline: one lane per concurrent slot, so how parallel the run was is visible. */
import type { ScriptResult } from "./api.js";
import { h, ms } from "./dom.js";

export interface Bar {
  readonly node: string;
  readonly lane: number;
  readonly start: number;
  readonly end: number;
  readonly status: string;
}

/** Greedy lanes: each node goes to the first lane free when it started. */
export function lanes(results: Iterable<ScriptResult>): { bars: Bar[]; t0: number; t1: number } {
  const ran = [...results]
    .filter(
      (r) =>
        r.startedAt &&
        r.durationMs > 0 &&
        (r.status === "passed" || r.status === "failed" || r.status === "cancelled"),
    )
    .map((r) => ({ r, start: Date.parse(r.startedAt ?? "") }))
    .sort((a, b) => a.start - b.start);
  const laneEnds: number[] = [];
  const bars = ran.map(({ r, start }) => {
    const end = start + r.durationMs;
    let lane = laneEnds.findIndex((e) => e <= start);
    if (lane < 0) lane = laneEnds.push(end) - 1;
    else laneEnds[lane] = end;
    return { node: r.node, lane, start, end, status: r.status };
  });
  // reduce, not Math.min(...xs): a spread of every node would overflow the stack on a huge DAG.
  const t0 = bars.reduce((m, b) => Math.min(m, b.start), Number.POSITIVE_INFINITY);
  const t1 = bars.reduce((m, b) => Math.max(m, b.end), Number.NEGATIVE_INFINITY);
  return { bars, t0, t1 };
}

export function timeline(results: Iterable<ScriptResult>, onSelect: (node: string) => void): HTMLElement {
  const { bars, t0, t1 } = lanes(results);
  if (!bars.length) return h("p", { class: "muted" }, "no script ran yet");
  const span = Math.max(1, t1 - t0);
  const laneCount = bars.reduce((m, b) => Math.max(m, b.lane), 0) + 1;
  const box = h("div", {
    class: "timeline",
    "data-testid": "timeline",
    style: `height:${laneCount * 26 + 4}px`,
  });
  for (const b of bars) {
    const bar = h(
      "div",
      {
        class: `bar state-${b.status}`,
        style: `left:${((b.start - t0) / span) * 100}%;width:${Math.max(0.5, ((b.end - b.start) / span) * 100)}%;top:${b.lane * 26}px`,
        title: `${b.node} ${ms(b.end - b.start)}`,
      },
      b.node,
    );
    bar.addEventListener("click", () => onSelect(b.node));
    box.append(bar);
  }
  return h(
    "div",
    {},
    h("p", { class: "muted" }, `${laneCount} slot${laneCount > 1 ? "s" : ""} used · ${ms(span)} wall`),
    box,
  );
}

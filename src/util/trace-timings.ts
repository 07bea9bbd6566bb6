/**
 * `DAGTEST_TRACE_TIMINGS=FILE`: where a node's time goes. Every stage of a node (engine, fork
 * server, forked child) appends one JSON line `{"t": ns, "node": name, "mark": label, "by": who}`
 * to FILE, `t` on the monotonic clock both Node and Python read (CLOCK_MONOTONIC), so the lines of
 * all three processes sort into one timeline. `node scripts/trace-timings.mjs FILE` prints the
 * median time between consecutive marks. Unset (the default), a mark costs one comparison.
 */
import { appendFileSync } from "node:fs";

const file = process.env.DAGTEST_TRACE_TIMINGS || null;

/** Whether marks are being recorded (to skip work done only for them). */
export const tracing = file !== null;

/** Record that `node` reached `mark` now. */
export function traceMark(node: string, mark: string): void {
  if (file === null) return;
  const t = process.hrtime.bigint().toString();
  try {
    appendFileSync(
      file,
      `{"t":${t},"node":${JSON.stringify(node)},"mark":${JSON.stringify(mark)},"by":"engine"}\n`,
    );
  } catch {
    // A trace is a diagnostic: a file that cannot be written never fails a run.
  }
}

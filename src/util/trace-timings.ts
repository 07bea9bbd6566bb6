/**
 * `DAGTEST_TRACE_TIMINGS=FILE`: where a node's time goes. Every stage of a node (engine, fork
 * server, forked child) records a line `{"t": ns, "node": name, "mark": label, "by": who}` in
 * FILE, `t` on the monotonic clock both Node and Python read (CLOCK_MONOTONIC), so the lines of
 * all three processes sort into one timeline. `node scripts/trace-timings.mjs FILE` prints the
 * median time between consecutive marks. The lines are kept in memory and appended in batches
 * (and when the process exits), so that tracing hardly adds to what it measures. Unset (the
 * default), a mark costs one comparison.
 */
import { appendFileSync } from "node:fs";

const file = process.env.DAGTEST_TRACE_TIMINGS || null;
const BATCH = 200;
let pending: string[] = [];

/** Whether marks are being recorded (to skip work done only for them). */
export const tracing = file !== null;

/** Record that `node` reached `mark` now. */
export function traceMark(node: string, mark: string): void {
  if (file === null) return;
  const t = process.hrtime.bigint().toString();
  if (pending.length === 0) process.once("exit", flushTrace);
  pending.push(`{"t":${t},"node":${JSON.stringify(node)},"mark":${JSON.stringify(mark)},"by":"engine"}\n`);
  if (pending.length >= BATCH) flushTrace();
}

/** Append the marks recorded so far. */
export function flushTrace(): void {
  if (file === null || pending.length === 0) return;
  const lines = pending.join("");
  pending = [];
  process.off("exit", flushTrace);
  try {
    appendFileSync(file, lines);
  } catch {
    // A trace is a diagnostic: a file that cannot be written never fails a run.
  }
}

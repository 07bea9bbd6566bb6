/**
 * The reporter bus: every event of a run goes through here to every reporter, in order.
 *
 * - Guarded: a reporter that throws (or whose promise rejects) is reported once, as a `notice`
 *   to the other reporters, and keeps receiving events; the run never stops because of it.
 * - Async without slowing the engine: a reporter that returns nothing is called at once (so a
 *   console reporter prints exactly when the event happens); one that returns a promise gets
 *   its next events after that promise settles. `close()` waits for every reporter to catch up,
 *   then calls their `close`.
 */
import type { NoticeLevel, Reporter, RunEvent } from "../model/events.js";

interface Lane {
  readonly reporter: Reporter;
  /** Events not yet delivered: only while an async delivery is in flight. */
  readonly queue: RunEvent[];
  /** The async delivery in flight, if any. */
  busy: Promise<void> | null;
  failed: boolean;
}

const lane = (reporter: Reporter): Lane => ({ reporter, queue: [], busy: null, failed: false });

export class ReporterBus {
  readonly #lanes: Lane[];

  constructor(reporters: readonly Reporter[]) {
    this.#lanes = reporters.map(lane);
  }

  /** Add reporters (a run's own, on a session's bus): they get the events emitted from now on. */
  attach(reporters: readonly Reporter[]): void {
    for (const reporter of reporters) this.#lanes.push(lane(reporter));
  }

  /** Remove reporters added with `attach` (after the run closed them). */
  detach(reporters: readonly Reporter[]): void {
    for (let i = this.#lanes.length - 1; i >= 0; i--)
      if (reporters.includes(this.#lanes[i]!.reporter)) this.#lanes.splice(i, 1);
  }

  emit(event: RunEvent): void {
    for (const target of this.#lanes) this.#deliver(target, event);
  }

  notice(level: NoticeLevel, message: string, node: string | null = null): void {
    this.emit({ type: "notice", level, message, node });
  }

  /** Wait until every reporter has received every event emitted so far. */
  async drain(): Promise<void> {
    while (this.#lanes.some((l) => l.busy)) await Promise.all(this.#lanes.map((l) => l.busy));
  }

  /** Drain, then close the given reporters (default: all), each guarded. */
  async close(reporters: readonly Reporter[] = this.#lanes.map((l) => l.reporter)): Promise<void> {
    await this.drain();
    for (const target of this.#lanes.filter((l) => reporters.includes(l.reporter))) {
      try {
        await target.reporter.close?.();
      } catch (error) {
        this.#failed(target, error);
      }
    }
    await this.drain();
  }

  #deliver(target: Lane, event: RunEvent): void {
    target.queue.push(event);
    if (!target.busy) this.#pump(target);
  }

  /** Deliver queued events in order; stop at one answered with a promise and resume after it. */
  #pump(target: Lane): void {
    while (target.queue.length > 0) {
      const answer = this.#call(target, target.queue.shift()!);
      if (!answer) continue;
      target.busy = answer
        .catch((error: unknown) => this.#failed(target, error))
        .then(() => {
          target.busy = null;
          this.#pump(target);
        });
      return;
    }
  }

  /** Calls the reporter; returns a promise only when it answered with one. */
  #call(target: Lane, event: RunEvent): Promise<void> | null {
    try {
      const answer = target.reporter.onEvent?.(event);
      return answer instanceof Promise ? answer : null;
    } catch (error) {
      this.#failed(target, error);
      return null;
    }
  }

  #failed(target: Lane, error: unknown): void {
    if (target.failed) return;
    target.failed = true;
    const name = target.reporter.constructor?.name || "a reporter";
    const why = error instanceof Error ? error.message : String(error);
    const event: RunEvent = {
      type: "notice",
      level: "error",
      message: `reporter ${name} failed (its later errors are not shown): ${why}`,
      node: null,
    };
    for (const other of this.#lanes) if (other !== target) this.#deliver(other, event);
  }
}

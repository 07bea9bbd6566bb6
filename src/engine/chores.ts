/**
 * Work a node leaves behind that nothing waits for while the run goes on (removing its private
 * input copies): started at once, off the node's path, and waited for before the run ends, so a
 * finished run has done all of it. One that fails is told to the reporters as a warning.
 */
import type { ReporterBus } from "./bus.js";

export class Chores {
  readonly #pending = new Set<Promise<void>>();
  readonly #bus: ReporterBus;

  constructor(bus: ReporterBus) {
    this.#bus = bus;
  }

  /** Start `work` now; `what` says what it was, should it fail. */
  add(node: string, what: string, work: Promise<unknown>): void {
    const chore: Promise<void> = work.then(
      () => {},
      (error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        this.#bus.notice("warning", `${what} failed: ${why}`, node);
      },
    );
    this.#pending.add(chore);
    void chore.finally(() => this.#pending.delete(chore));
  }

  /** Wait until every chore started so far (and any started meanwhile) has ended. */
  async done(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/**
 * Work a node leaves behind that nothing waits for while the run goes on (removing its private
 * input copies, rewriting run.json): started off the node's path, and waited for before the run
 * ends, so a finished run has done all of it. One that fails is told to the reporters as a
 * warning.
 *
 * Such work waits until no node is being prepared (`preparing`): a node's own file-system calls
 * (its input copies, its job file) then have libuv's threads to themselves instead of queueing
 * behind the clean-up of the node before it.
 */
import type { ReporterBus } from "./bus.js";

export class Chores {
  readonly #pending = new Set<Promise<void>>();
  readonly #bus: ReporterBus;
  #preparing = 0;
  #waiting: (() => void)[] = [];

  constructor(bus: ReporterBus) {
    this.#bus = bus;
  }

  /** A node is being prepared until the returned function is called: chores wait. */
  preparing(): () => void {
    this.#preparing++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#preparing > 0) return;
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const go of waiting) go();
    };
  }

  /** Resolves once no node is being prepared. */
  quiet(): Promise<void> {
    if (this.#preparing === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Run `work` once no node is being prepared, and not before the event loop has turned once:
   * the node that ends and adds it has the next one to start (prepared, its job sent) in the
   * same turn, and the chore runs while that job does. `what` says what it was, should it fail.
   */
  add(node: string, what: string, work: () => Promise<unknown>): void {
    const chore: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.quiet())
      .then(work)
      .then(
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

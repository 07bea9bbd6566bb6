/**
 * The ready-set loop: a node starts when all its dependencies finished well, at most
 * `concurrency` at once; a node whose dependency failed is skipped (and so are its descendants);
 * equal-ready nodes start by priority (highest first: the engine gives the longest expected path
 * to the end, from the last run's durations), then in topological order; or shuffled with a seed
 * to expose missing edges.
 */

export type NodeVerdict = "ok" | "failed";

export interface ScheduleOptions {
  /** Every node to consider, in topological order. */
  readonly order: readonly string[];
  /** Node → the nodes it waits for (only those in `order` count). */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  readonly concurrency: number;
  /** Stop starting new nodes after the first failure. */
  readonly failFast: boolean;
  /** A seed to shuffle equal-ready nodes, or null for topological order. */
  readonly shuffleSeed: number | null;
  /** Node → priority, higher starts first among ready nodes; absent counts as 0. Ignored when shuffled. */
  readonly priority?: ReadonlyMap<string, number>;
  readonly signal: AbortSignal;
  readonly run: (node: string, running: readonly string[]) => Promise<NodeVerdict>;
  /**
   * `run` threw (or rejected) instead of answering: the node counts as failed, and this is told
   * the error, so it is never lost.
   */
  readonly crashed?: (node: string, error: unknown) => void;
  /** A node that will not run: because a dependency failed, or the run stopped. */
  readonly skip: (node: string, why: "upstream-failed" | "cancelled", blamed: string | null) => void;
}

export async function schedule(options: ScheduleOptions): Promise<{ stopped: boolean }> {
  const position = new Map(options.order.map((n, i) => [n, i]));
  const pending = new Set(options.order);
  const verdicts = new Map<string, NodeVerdict | "skipped">();
  const running = new Map<string, Promise<void>>();
  const random = options.shuffleSeed === null ? null : seeded(options.shuffleSeed);
  let stopped = false;
  const rank = (node: string) => options.priority?.get(node) ?? 0;
  // One listener for the whole run: a new one per loop turn would pile up on the signal.
  const abort = aborted(options.signal);
  const deps = (node: string) => (options.dependencies.get(node) ?? []).filter((d) => position.has(d));

  const settleSkips = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const node of [...pending]) {
        const blamed = deps(node).find((d) => verdicts.get(d) === "failed" || verdicts.get(d) === "skipped");
        if (blamed === undefined) continue;
        pending.delete(node);
        verdicts.set(node, "skipped");
        options.skip(node, "upstream-failed", blamed);
        changed = true;
      }
    }
  };

  while (pending.size > 0 || running.size > 0) {
    settleSkips();
    if (options.signal.aborted || stopped) break;
    const ready = [...pending].filter((n) => deps(n).every((d) => verdicts.get(d) === "ok"));
    if (random) shuffle(ready, random);
    else ready.sort((a, b) => rank(b) - rank(a) || position.get(a)! - position.get(b)!);
    for (const node of ready) {
      if (running.size >= options.concurrency) break;
      pending.delete(node);
      const task = options.run(node, [...running.keys(), node]).then(
        (verdict) => {
          verdicts.set(node, verdict);
          if (verdict === "failed" && options.failFast) stopped = true;
        },
        (error: unknown) => {
          verdicts.set(node, "failed");
          if (options.failFast) stopped = true;
          options.crashed?.(node, error);
        },
      );
      running.set(
        node,
        task.finally(() => running.delete(node)),
      );
    }
    if (running.size === 0) break;
    await Promise.race([...running.values(), abort.promise]);
  }
  await Promise.all(running.values());
  abort.dispose();
  for (const node of pending) options.skip(node, "cancelled", null);
  return { stopped: stopped || options.signal.aborted };
}

/** A promise settled by the signal's abort, and a way to drop its listener when done. */
function aborted(signal: AbortSignal): { promise: Promise<void>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/** mulberry32: a small, seedable generator so a shuffled order can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * Array helpers whose cost does not depend on the call stack. `a.push(...b)` and
 * `Math.max(...b)` pass every element of `b` as an argument, which throws `RangeError: Maximum
 * call stack size exceeded` once `b` holds about 120,000 items: a DAG can be that large.
 * `tests/unit/no-spread-arguments.test.ts` keeps such spreads out of `src/`.
 */

/** Append every item of `items` to `target`, in order; returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  if (Array.isArray(items)) {
    // Indexed: unoptimised code makes an iterator result per item of a for-of loop.
    for (let i = 0; i < items.length; i++) target.push(items[i] as T);
  } else for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `floor` when there are none (or all are smaller). */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}

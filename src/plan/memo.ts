/**
 * Memoising by object identity. A large DAG shares a handful of scripts and interfaces between
 * thousands of nodes; facts derived from a script (or a script and its interface) are computed
 * once per object, not once per node. Weak keys: nothing outlives the plan that holds the objects.
 */
export function memoOne<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const memo = new WeakMap<K, V>();
  return (key) => {
    if (memo.has(key)) return memo.get(key) as V;
    const value = compute(key);
    memo.set(key, value);
    return value;
  };
}

export function memoTwo<A extends object, B extends object, V>(
  compute: (a: A, b: B) => V,
): (a: A, b: B) => V {
  const memo = new WeakMap<A, WeakMap<B, V>>();
  return (a, b) => {
    let inner = memo.get(a);
    if (!inner) {
      inner = new WeakMap();
      memo.set(a, inner);
    }
    if (inner.has(b)) return inner.get(b) as V;
    const value = compute(a, b);
    inner.set(b, value);
    return value;
  };
}

/** Where a nested level of `memoMany` keeps its value. */
const VALUE: object = Object.freeze({});

/**
 * Memoising by the identity of several objects at once (one nested weak map per key), for values
 * computed from objects many nodes share: an interface, a script's facts, a shared env list.
 * Every call of one memo passes the same number of keys.
 */
export function memoMany<V>(): (keys: readonly object[], compute: () => V) => V {
  const root = new WeakMap<object, unknown>();
  return (keys, compute) => {
    let level = root;
    for (const key of keys) {
      let next = level.get(key) as WeakMap<object, unknown> | undefined;
      if (!next) {
        next = new WeakMap();
        level.set(key, next);
      }
      level = next;
    }
    if (level.has(VALUE)) return level.get(VALUE) as V;
    const value = compute();
    level.set(VALUE, value);
    return value;
  };
}

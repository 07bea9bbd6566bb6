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

/**
 * Just enough of PEP 440 to check `framework_requirements` pins (`==1.7.6`, `>=1.0,<2`, `~=1.4`,
 * `==1.7.*`, `!=`) against an installed version. Pre/post/dev/local segments are ignored beyond
 * the release numbers, which is what matters for "will this environment behave like the container".
 * (The maintained npm implementation needs Node 22; this subset keeps us on Node 20.)
 */

type Release = number[];

function release(version: string): Release | null {
  const match = /^\s*v?(\d+(?:\.\d+)*)/.exec(version);
  return match ? match[1]!.split(".").map(Number) : null;
}

function compare(a: Release, b: Release): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True/false when the spec is understood, null when it is not. */
export function satisfies(version: string, spec: string): boolean | null {
  const installed = release(version);
  if (!installed) return null;
  const clauses = spec
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return true;
  let result = true;
  for (const clause of clauses) {
    const ok = clauseHolds(installed, clause);
    if (ok === null) return null;
    result &&= ok;
  }
  return result;
}

function clauseHolds(installed: Release, clause: string): boolean | null {
  const match = /^(===|==|!=|~=|>=|<=|>|<)\s*(.+)$/.exec(clause);
  if (!match) return null;
  const [, op, raw] = match as unknown as [string, string, string];
  if (raw.endsWith(".*") && (op === "==" || op === "!=")) {
    const prefix = release(raw.slice(0, -2));
    if (!prefix) return null;
    const same = prefix.every((n, i) => (installed[i] ?? 0) === n);
    return op === "==" ? same : !same;
  }
  const wanted = release(raw);
  if (!wanted) return null;
  const c = compare(installed, wanted);
  switch (op) {
    case "==":
    case "===":
      return c === 0;
    case "!=":
      return c !== 0;
    case ">=":
      return c >= 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case "<":
      return c < 0;
    default: {
      // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
      if (wanted.length < 2) return null;
      const prefix = wanted.slice(0, -1);
      return c >= 0 && prefix.every((n, i) => (installed[i] ?? 0) === n);
    }
  }
}

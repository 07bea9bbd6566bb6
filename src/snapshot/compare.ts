/**
 * Compare a node's outputs now with its stored snapshot: every difference names where it is
 * (`port/file#column.statistic` or `port/file#/json/pointer`), what differs, expected vs got, and
 * the tolerance applied. Numbers are equal within max(abs_tol, rel_tol × |expected|); volatile
 * values and what `ignore` names are never compared.
 */
import type {
  ColumnSummary,
  FileSnapshot,
  NodeSnapshot,
  SnapshotDiff,
  Tolerance,
} from "../model/snapshot.js";
import { isVolatileMarker } from "./volatile.js";

/** Differences between `expected` (stored) and `got` (this run), in a stable order. */
export function compareSnapshots(expected: NodeSnapshot, got: NodeSnapshot, tol: Tolerance): SnapshotDiff[] {
  const diffs: SnapshotDiff[] = [];
  const ignored = ignoreMatcher(tol.ignore);
  const add = (d: SnapshotDiff) => {
    if (!ignored(d.path)) diffs.push(d);
  };
  for (const port of union(expected, got)) {
    const [e, g] = [expected[port], got[port]];
    if (!e || !g) {
      add(presence(port, "output port", !!e));
      continue;
    }
    for (const file of union(e, g)) {
      const where = `${port}/${file}`;
      const [ef, gf] = [e[file], g[file]];
      if (!ef || !gf) add(presence(where, "file", !!ef));
      else compareFile(where, ef, gf, tol, add);
    }
  }
  return diffs;
}

type Add = (d: SnapshotDiff) => void;

/** A port, file or column on one side only: `file missing` (was there) or `new file`. */
function presence(path: string, thing: string, wasThere: boolean): SnapshotDiff {
  return {
    path,
    what: wasThere ? `${thing} missing` : `new ${thing}`,
    expected: wasThere,
    got: !wasThere,
    tolerance: null,
  };
}

function compareFile(where: string, e: FileSnapshot, g: FileSnapshot, tol: Tolerance, add: Add): void {
  if (e.kind !== g.kind) {
    add({ path: where, what: "kind of file", expected: e.kind, got: g.kind, tolerance: null });
    return;
  }
  if (e.kind === "table" && g.kind === "table") {
    compareTable(where, e, g, tol, add);
    return;
  }
  if (e.kind === "json" && g.kind === "json") {
    compareJson(`${where}#`, e.value, g.value, tol, add);
    return;
  }
  if (e.kind === "archive" && g.kind === "archive") {
    for (const member of union(e.members, g.members)) {
      const [em, gm] = [e.members[member], g.members[member]];
      if (em?.sha256 !== gm?.sha256)
        add({
          path: `${where}!${member}`,
          what: "archive member content",
          expected: em ?? null,
          got: gm ?? null,
          tolerance: null,
        });
    }
    return;
  }
  if (e.kind === "file" && g.kind === "file" && e.sha256 !== g.sha256)
    add({
      path: where,
      what: "content (sha256)",
      expected: `${e.bytes} bytes ${e.sha256.slice(0, 12)}`,
      got: `${g.bytes} bytes ${g.sha256.slice(0, 12)}`,
      tolerance: null,
    });
}

type Table = Extract<FileSnapshot, { kind: "table" }>;

function compareTable(where: string, e: Table, g: Table, tol: Tolerance, add: Add): void {
  if (e.format !== g.format)
    add({ path: where, what: "format", expected: e.format, got: g.format, tolerance: null });
  number(`${where}#rows`, "row count", e.rows, g.rows, tol, add);
  for (const column of union(e.columns, g.columns)) {
    const [ec, gc] = [e.columns[column], g.columns[column]];
    const at = `${where}#${column}`;
    if (!ec || !gc) add(presence(at, "column", !!ec));
    else compareColumn(at, ec, gc, tol, add);
  }
}

function compareColumn(at: string, e: ColumnSummary, g: ColumnSummary, tol: Tolerance, add: Add): void {
  if (e.type !== g.type) {
    add({ path: at, what: "column type", expected: e.type, got: g.type, tolerance: null });
    return;
  }
  if (e.nulls !== null && g.nulls !== null) number(`${at}.nulls`, "null count", e.nulls, g.nulls, tol, add);
  if (e.type === "number" && g.type === "number") {
    for (const stat of ["min", "max", "mean", "std"] as const)
      number(`${at}.${stat}`, stat, e[stat], g[stat], tol, add);
  } else if ((e.type === "string" || e.type === "boolean") && (g.type === "string" || g.type === "boolean")) {
    number(`${at}.distinct`, "distinct count", e.distinct, g.distinct, tol, add);
    const values = (top: typeof e.top) => top.map(([v]) => v).join(", ");
    if (values(e.top) !== values(g.top))
      add({ path: `${at}.top`, what: "most frequent values", expected: e.top, got: g.top, tolerance: null });
    else
      for (const [i, [v, count]] of e.top.entries())
        number(`${at}.top[${v}]`, `count of "${v}"`, count, g.top[i]![1], tol, add);
  }
}

function compareJson(at: string, e: unknown, g: unknown, tol: Tolerance, add: Add): void {
  if (isVolatileMarker(e) || isVolatileMarker(g)) return;
  if (typeof e === "number" && typeof g === "number") {
    number(at, "value", e, g, tol, add);
    return;
  }
  if (Array.isArray(e) && Array.isArray(g)) {
    if (e.length !== g.length)
      add({ path: at, what: "array length", expected: e.length, got: g.length, tolerance: null });
    for (let i = 0; i < Math.min(e.length, g.length); i++) compareJson(`${at}/${i}`, e[i], g[i], tol, add);
    return;
  }
  if (isObject(e) && isObject(g)) {
    for (const key of union(e, g)) {
      const path = `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (!(key in e) || !(key in g))
        add({
          path,
          what: key in e ? "key missing" : "new key",
          expected: e[key] ?? null,
          got: g[key] ?? null,
          tolerance: null,
        });
      else compareJson(path, e[key], g[key], tol, add);
    }
    return;
  }
  if (JSON.stringify(e) !== JSON.stringify(g))
    add({ path: at, what: "value", expected: e, got: g, tolerance: null });
}

/** Numbers within max(abs_tol, rel_tol × |expected|); null only equals null. */
function number(
  path: string,
  what: string,
  e: number | null,
  g: number | null,
  tol: Tolerance,
  add: Add,
): void {
  if (e === null || g === null) {
    if (e !== g) add({ path, what, expected: e, got: g, tolerance: null });
    return;
  }
  const allowed = Math.max(tol.absTol, tol.relTol * Math.abs(e));
  if (Math.abs(g - e) > allowed)
    add({ path, what, expected: e, got: g, tolerance: Number(allowed.toPrecision(6)) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

/**
 * `port/file` globs (`*` within a name, `**` across folders), optionally followed by `#column`
 * or `#/json/pointer` (a pointer also covers everything below it). A diff's path is ignored when
 * a pattern matches its file and, if the pattern names one, its column or pointer.
 */
export function ignoreMatcher(patterns: readonly string[]): (path: string) => boolean {
  const rules = patterns.map((p) => {
    const hash = p.indexOf("#");
    const file = globRegex(hash < 0 ? p : p.slice(0, hash) || "**");
    const inner = hash < 0 ? null : p.slice(hash + 1);
    return { file, inner };
  });
  return (path) => {
    const hash = path.indexOf("#");
    const file = hash < 0 ? path : path.slice(0, hash);
    const inner = hash < 0 ? null : path.slice(hash + 1);
    return rules.some((r) => {
      if (!r.file.test(file.replace(/!.*$/, ""))) return false;
      if (r.inner === null) return true;
      if (inner === null) return false;
      if (r.inner.startsWith("/")) return inner === r.inner || inner.startsWith(`${r.inner}/`);
      return inner === r.inner || inner.startsWith(`${r.inner}.`);
    });
  };
}

function globRegex(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}(/.*)?$`);
}

/**
 * How each tool is driven for each measure: what is reset before the timed command (untimed), the
 * timed command itself, and the check afterwards that it really ran what it should (a tool is
 * never timed doing nothing, nor an unchanged rerun timed redoing everything).
 *
 * DVC, Snakemake and Kedro are checked on their output files' modification times (all written by
 * a full run; only the leaf's after an edit; none on an unchanged rerun); dagtest on its
 * `--json` result (every node `passed` on a full run, only the leaf after an edit, every node
 * `cached` on an unchanged rerun).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { LEAF, nodesOf, outputFile, type Shape } from "./projects.js";

export type Measure = "full-chain20" | "full-wide16" | "unchanged" | "edit-leaf";

/** What a measure runs on, and what each node must look like afterwards. */
const SHAPE: Record<Measure, Shape> = {
  "full-chain20": "chain20",
  "full-wide16": "wide16",
  unchanged: "chain20",
  "edit-leaf": "chain20",
};
type Expect = "all-ran" | "none-ran" | "leaf-ran";
const EXPECT: Record<Measure, Expect> = {
  "full-chain20": "all-ran",
  "full-wide16": "all-ran",
  unchanged: "none-ran",
  "edit-leaf": "leaf-ran",
};

/** One timed case: `prepare` (untimed), then `command` (timed), then `check` (untimed). */
export interface Case {
  readonly measure: Measure;
  readonly tool: string;
  readonly dir: string;
  readonly prepare: () => void;
  readonly command: readonly string[];
  /** A problem, or null when the tool ran what it should; `startMs`: wall clock (ms) before the command. */
  readonly check: (stdout: string, before: ReadonlyMap<string, number>, startMs: number) => string | null;
  /** Output files' modification times before the command (file-based tools). */
  readonly snapshot: () => ReadonlyMap<string, number>;
}

let edits = 0;
/** Append a comment to a script: a real edit that changes its content and modification time. */
export function editScript(file: string): void {
  appendFileSync(file, `# edit ${edits++}\n`);
}

/** Run a command; its stdout, or an error naming the command, its folder and its output's tail. */
export function exec(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(command[0]!, command.slice(1), { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(
      `\`${command.join(" ")}\` failed (exit ${r.status ?? r.signal}) in ${cwd}:\n${(r.stdout + r.stderr).slice(-3000)}`,
    );
  return r.stdout;
}

/** The expected node states as a problem message, or null when they match. */
function expectation(expect: Expect, ran: ReadonlySet<string>, nodes: readonly string[]): string | null {
  const want = new Set(expect === "all-ran" ? nodes : expect === "leaf-ran" ? [LEAF] : []);
  const wrong = nodes.filter((n) => ran.has(n) !== want.has(n));
  if (wrong.length === 0) return null;
  return `expected ${expect}, but ${wrong.map((n) => `${n} ${ran.has(n) ? "ran" : "did not run"}`).join(", ")}`;
}

/** A file-based tool's case (DVC, Snakemake, Kedro): outputs under out/, checked by mtime. */
export function fileCase(
  measure: Measure,
  tool: string,
  dir: string,
  command: readonly string[],
  reset: readonly string[],
  leafScript: string,
): Case {
  const nodes = nodesOf(SHAPE[measure]).map((n) => n.name);
  const files = nodes.map((n) => path.join(dir, outputFile(n)));
  const mtimes = () =>
    new Map(nodes.map((n, i) => [n, existsSync(files[i]!) ? statSync(files[i]!).mtimeMs : Number.NaN]));
  return {
    measure,
    tool,
    dir,
    command,
    snapshot: mtimes,
    prepare: () => {
      for (const p of reset) rmSync(path.join(dir, p), { recursive: true, force: true });
      if (measure === "edit-leaf") editScript(path.join(dir, leafScript));
    },
    check: (_stdout, before) => {
      const after = mtimes();
      const missing = nodes.filter((n) => Number.isNaN(after.get(n)));
      if (missing.length > 0) return `no output for ${missing.join(", ")}`;
      const ran = new Set(nodes.filter((n) => after.get(n) !== before.get(n)));
      return expectation(EXPECT[measure], ran, nodes);
    },
  };
}

interface DagtestNode {
  readonly status: string;
  readonly outputs: Record<string, string>;
}

/** A dagtest case: `dagtest run --json` (plus `extra` flags), checked on each node's status. */
export function dagtestCase(
  measure: Measure,
  tool: string,
  dir: string,
  cli: readonly string[],
  extra: readonly string[],
  prepare: () => void,
): Case {
  const nodes = nodesOf(SHAPE[measure]).map((n) => n.name);
  return {
    measure,
    tool,
    dir,
    command: [...cli, "run", "--json", ...extra],
    snapshot: () => new Map(),
    prepare: () => {
      prepare();
      if (measure === "edit-leaf") editScript(path.join(dir, "leaf.py"));
    },
    check: (stdout, _before, startMs) => {
      const results = (JSON.parse(stdout) as { scriptResults: Record<string, DagtestNode> }).scriptResults;
      const statuses = nodes.map((n) => results[n]?.status ?? "absent");
      const odd = nodes.filter((_, i) => statuses[i] !== "passed" && statuses[i] !== "cached");
      if (odd.length > 0) return `nodes neither passed nor cached: ${odd.join(", ")}`;
      const ran = new Set(nodes.filter((_, i) => statuses[i] === "passed"));
      // What dagtest says ran must have written its output during this command.
      const stale = [...ran].filter((n) => {
        const file = path.join(results[n]?.outputs.data ?? "", "part.csv");
        return !existsSync(file) || statSync(file).mtimeMs < startMs;
      });
      if (stale.length > 0) return `no fresh output for ${stale.join(", ")}`;
      return expectation(EXPECT[measure], ran, nodes);
    },
  };
}

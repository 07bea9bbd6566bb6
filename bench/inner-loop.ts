/**
 * `npm run bench -- inner-loop`: the user's inner loop as whole commands of the built CLI, side
 * by side, interleaved round by round (start order rotated each round):
 *
 * - edit-leaf: append a comment to the last script of a 20-node chain whose nodes import pandas
 *   and scikit-learn, then `dagtest run` (the warm server kept from the previous command) against
 *   `dagtest run --cold` on a second copy: `edit-leaf-vs-cold` = cold median ÷ warm median;
 * - start-up: `dagtest --help` and an unchanged rerun of examples/tabular, over `node -e 0`:
 *   `help-vs-node`, `unchanged-example-vs-node` (lower is better; targets 1.5 and 3).
 *
 * Kept servers are stopped at the end (`dagtest server stop`).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = path.join(root, ".venv/bin/python");
const cli = path.join(root, "dist/cli/main.js");
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const STEP = `import os
import pandas as pd
from sklearn.linear_model import LogisticRegression


def main(input_paths, output_paths, environ_vars, job_args):
    rows = sum(len(pd.read_csv(os.path.join(folder, "part.csv"))) for folder in input_paths.values())
    frame = pd.DataFrame({"upstream_rows": [rows], "model": [LogisticRegression.__name__]})
    os.makedirs(output_paths["data"], exist_ok=True)
    frame.to_csv(os.path.join(output_paths["data"], "part.csv"), index=False)
`;

function chain20(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-inner-"));
  writeFileSync(path.join(dir, "step.py"), STEP);
  writeFileSync(path.join(dir, "leaf.py"), STEP);
  const nodes: Record<string, unknown> = {};
  const edges: [string, string][] = [];
  for (let i = 0; i < 20; i++) {
    nodes[`n${i}`] = {
      script: i === 19 ? "leaf.py" : "step.py",
      inputs: i === 0 ? [] : ["data"],
      outputs: ["data"],
    };
    if (i > 0) edges.push([`n${i - 1}`, `n${i}`]);
  }
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    stringify({ version: 1, python, pipeline: { nodes, edges } }),
  );
  return dir;
}

function timed(args: readonly string[], cwd: string, command = process.execPath): number {
  const start = performance.now();
  const r = spawnSync(command, args, {
    cwd,
    env: { ...process.env, DAGTEST_KEEP_WARM: "1", DAGTEST_PYTHON: python },
    encoding: "utf8",
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

// The CLI as the package ships it (tsc, then the esbuild bundle of the command).
const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const warm = chain20();
const cold = chain20();
const example = mkdtempSync(path.join(os.tmpdir(), "dagtest-bench-example-"));
cpSync(path.join(root, "examples/tabular"), example, { recursive: true });
try {
  timed([cli, "run"], warm); // first run: fills the cache, leaves the warm server
  timed([cli, "run", "--cold"], cold);
  timed([cli, "run"], example);
  let edits = 0;
  const cases: Record<string, () => number> = {
    "edit-leaf warm": () => {
      appendFileSync(path.join(warm, "leaf.py"), `# edit ${edits++}\n`);
      return timed([cli, "run"], warm);
    },
    "edit-leaf cold": () => {
      appendFileSync(path.join(cold, "leaf.py"), `# edit ${edits++}\n`);
      return timed([cli, "run", "--cold"], cold);
    },
    "node -e 0": () => timed(["-e", "0"], root),
    "dagtest --help": () => timed([cli, "--help"], root),
    "unchanged example": () => timed([cli, "run"], example),
  };
  const names = Object.keys(cases);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      times[name]!.push(cases[name]!());
    }
  }
  for (const name of names)
    console.log(
      `${name.padEnd(18)} median ${median(times[name]!).toFixed(0).padStart(6)} ms  (${times[name]!.map((t) => t.toFixed(0)).join(", ")})`,
    );
  const m = (n: string) => median(times[n]!);
  console.log(`edit-leaf-vs-cold: ${(m("edit-leaf cold") / m("edit-leaf warm")).toFixed(2)} x`);
  console.log(`help-vs-node: ${(m("dagtest --help") / m("node -e 0")).toFixed(2)} x`);
  console.log(`unchanged-example-vs-node: ${(m("unchanged example") / m("node -e 0")).toFixed(2)} x`);
} finally {
  for (const dir of [warm, cold, example]) {
    spawnSync(process.execPath, [cli, "server", "stop"], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  }
}

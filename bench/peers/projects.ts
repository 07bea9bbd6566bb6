/**
 * The benchmark's two pipelines, written for each tool the way its users write them, all running
 * the same work on the same interpreter (the peers venv):
 *
 * - chain20: n00 → n01 → … → n19. n00 makes 2,000 rows; every node fits a scikit-learn
 *   LogisticRegression on its input with pandas and adds a score column (so each node's output
 *   differs from its input). n00–n18 run step.py; the leaf n19 runs leaf.py (its own file, the one
 *   the edit-leaf measure edits).
 * - wide16: 16 independent nodes w00–w15 (no source: nothing but parallelism), each making its own
 *   rows (seed = its number, through the SEED variable) and fitting the same model.
 *
 * DVC: a dvc.yaml of stages `python step.py [in] out` (git init + dvc init). Snakemake: a Snakefile
 * of rules calling the same scripts, the script an input of its rule (so an edit reruns it).
 * dagtest: a dagtest.yaml of nodes with `main(input_paths, output_paths, ...)` scripts. Kedro: a
 * minimal project (pyproject.toml, settings, pipeline registry, a catalog of CSV datasets) whose
 * nodes are functions, run by `kedro run` in one process (chain20 only).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";

export type Shape = "chain20" | "wide16";

/** One node of a pipeline: its name, the node it reads (if any), its script and its seed. */
export interface Node {
  readonly name: string;
  readonly upstream: string | null;
  readonly script: "step.py" | "leaf.py";
  readonly seed: number;
}

export function nodesOf(shape: Shape): Node[] {
  if (shape === "wide16")
    return Array.from({ length: 16 }, (_, i) => ({
      name: `w${String(i).padStart(2, "0")}`,
      upstream: null,
      script: "step.py",
      seed: i,
    }));
  return Array.from({ length: 20 }, (_, i) => ({
    name: `n${String(i).padStart(2, "0")}`,
    upstream: i === 0 ? null : `n${String(i - 1).padStart(2, "0")}`,
    script: i === 19 ? "leaf.py" : "step.py",
    seed: 0,
  }));
}

/** The last node of the chain: the one whose script the edit-leaf measure edits. */
export const LEAF = "n19";

// The same work for every tool: a little pandas and scikit-learn, seeded, deterministic.
const WORK = `import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

FEATURES = ["a", "b", "c", "d"]


def work(upstream):
    """Fit a small model on the upstream rows (fresh rows for a source) and add its score."""
    if upstream is None:
        rng = np.random.default_rng(int(os.environ.get("SEED", "0")))
        upstream = pd.DataFrame(rng.normal(size=(2000, 4)), columns=FEATURES)
        upstream["y"] = (upstream["a"] + upstream["b"] + rng.normal(size=2000) > 0).astype(int)
    model = LogisticRegression(max_iter=200).fit(upstream[FEATURES], upstream["y"])
    out = upstream.copy()
    out["score%d" % len(out.columns)] = model.predict_proba(upstream[FEATURES])[:, 1]
    return out
`;

const CLI_ENTRY = `

if __name__ == "__main__":
    import sys

    *inputs, output = sys.argv[1:]
    frame = work(pd.read_csv(inputs[0]) if inputs else None)
    os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
    frame.to_csv(output, index=False)
`;

const DAGTEST_ENTRY = `

def main(input_paths, output_paths, environ_vars, job_args):
    upstream = pd.read_csv(os.path.join(input_paths["data"], "part.csv")) if input_paths else None
    os.makedirs(output_paths["data"], exist_ok=True)
    work(upstream).to_csv(os.path.join(output_paths["data"], "part.csv"), index=False)
`;

function tempDir(tool: string, shape: Shape): string {
  return mkdtempSync(path.join(os.tmpdir(), `dagtest-bench-peers-${tool}-${shape}-`));
}

function writeScripts(dir: string, entry: string): void {
  for (const script of ["step.py", "leaf.py"]) writeFileSync(path.join(dir, script), WORK + entry);
}

/** Where a file-based tool writes node `name`'s output, relative to its project. */
export const outputFile = (name: string): string => `out/${name}.csv`;

/** A dagtest project; `python` runs the nodes. */
export function writeDagtest(shape: Shape, python: string, variant: string): string {
  const dir = tempDir(`dagtest${variant}`, shape);
  writeScripts(dir, DAGTEST_ENTRY);
  const nodes: Record<string, unknown> = {};
  const edges: [string, string][] = [];
  for (const n of nodesOf(shape)) {
    nodes[n.name] = {
      script: n.script,
      inputs: n.upstream ? ["data"] : [],
      outputs: ["data"],
      env: { SEED: String(n.seed) },
    };
    if (n.upstream) edges.push([n.upstream, n.name]);
  }
  writeFileSync(
    path.join(dir, "dagtest.yaml"),
    stringify({ version: 1, python, pipeline: { nodes, edges } }),
  );
  return dir;
}

/** The shell command that runs node `n` with its script, for DVC and Snakemake. */
function cliCommand(n: Node, script: string, input: string | null, output: string): string {
  const seed = n.upstream === null ? `SEED=${n.seed} ` : "";
  return `${seed}python ${script} ${input ? `${input} ` : ""}${output}`;
}

/** A DVC project: git init, dvc init (no analytics), a dvc.yaml of one stage per node. */
export function writeDvc(shape: Shape, env: NodeJS.ProcessEnv): string {
  const dir = tempDir("dvc", shape);
  writeScripts(dir, CLI_ENTRY);
  const stages: Record<string, unknown> = {};
  for (const n of nodesOf(shape)) {
    const input = n.upstream ? outputFile(n.upstream) : null;
    stages[n.name] = {
      cmd: cliCommand(n, n.script, input, outputFile(n.name)),
      deps: input ? [n.script, input] : [n.script],
      outs: [outputFile(n.name)],
    };
  }
  writeFileSync(path.join(dir, "dvc.yaml"), stringify({ stages }));
  for (const args of [
    ["git", "init", "-q"],
    ["dvc", "init", "-q"],
    ["dvc", "config", "core.analytics", "false"],
    ["dvc", "config", "core.check_update", "false"],
  ]) {
    const r = spawnSync(args[0]!, args.slice(1), { cwd: dir, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed in ${dir}: ${r.stderr}`);
  }
  return dir;
}

/** A Snakemake project: one rule per node calling its script (an input of the rule), `all` first. */
export function writeSnakemake(shape: Shape): string {
  const dir = tempDir("snakemake", shape);
  writeScripts(dir, CLI_ENTRY);
  const nodes = nodesOf(shape);
  const finals = shape === "chain20" ? [LEAF] : nodes.map((n) => n.name);
  const rules = [`rule all:\n    input: ${finals.map((f) => JSON.stringify(outputFile(f))).join(", ")}\n`];
  for (const n of nodes) {
    const input = n.upstream ? `, data=${JSON.stringify(outputFile(n.upstream))}` : "";
    const shell = cliCommand(n, "{input.script}", n.upstream ? "{input.data}" : null, "{output}");
    rules.push(
      `rule ${n.name}:\n    input: script=${JSON.stringify(n.script)}${input}\n` +
        `    output: ${JSON.stringify(outputFile(n.name))}\n    shell: ${JSON.stringify(shell)}\n`,
    );
  }
  writeFileSync(path.join(dir, "Snakefile"), rules.join("\n"));
  return dir;
}

/** A minimal Kedro project (chain20): node functions in the package, CSV datasets in the catalog. */
export function writeKedro(version: string): string {
  const dir = tempDir("kedro", "chain20");
  const pkg = path.join(dir, "src", "peers_chain");
  mkdirSync(pkg, { recursive: true });
  mkdirSync(path.join(dir, "conf", "base"), { recursive: true });
  mkdirSync(path.join(dir, "conf", "local"), { recursive: true });
  writeFileSync(
    path.join(dir, "pyproject.toml"),
    `[tool.kedro]\npackage_name = "peers_chain"\nproject_name = "peers_chain"\n` +
      `kedro_init_version = "${version}"\nsource_dir = "src"\n`,
  );
  writeFileSync(path.join(pkg, "__init__.py"), "");
  writeFileSync(path.join(pkg, "settings.py"), "");
  writeFileSync(
    path.join(pkg, "nodes.py"),
    `${WORK}\n\ndef source():\n    return work(None)\n\n\ndef step(frame):\n    return work(frame)\n`,
  );
  writeFileSync(path.join(pkg, "leaf.py"), `${WORK}\n\ndef leaf(frame):\n    return work(frame)\n`);
  const nodes = nodesOf("chain20").map((n) => {
    const fn = n.upstream === null ? "source" : n.script === "leaf.py" ? "leaf" : "step";
    return `        node(${fn}, ${n.upstream ? JSON.stringify(n.upstream) : "None"}, "${n.name}", name="${n.name}"),`;
  });
  writeFileSync(
    path.join(pkg, "pipeline_registry.py"),
    `from kedro.pipeline import Pipeline, node\n\nfrom .leaf import leaf\nfrom .nodes import source, step\n\n\n` +
      `def register_pipelines():\n    return {\n        "__default__": Pipeline([\n${nodes.join("\n")}\n        ])\n    }\n`,
  );
  const catalog = Object.fromEntries(
    nodesOf("chain20").map((n) => [
      n.name,
      { type: "pandas.CSVDataset", filepath: outputFile(n.name), save_args: { index: false } },
    ]),
  );
  writeFileSync(path.join(dir, "conf", "base", "catalog.yml"), stringify(catalog));
  return dir;
}

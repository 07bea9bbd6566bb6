/**
 * The built CLI given odd input a user can produce: an empty or /dev/null spec, a folder as a
 * script, several spec problems at once, a DAG far too large, scripts and data outside the
 * project. Every case is a plan or a coded error with a hint, never an internal error.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DAG_NODES } from "../../src/config/dag.js";
import { buildCli, expectUserError, runCli } from "../helpers/cli.js";
import { removeTempDirs, tempDir, writeTree } from "../helpers/paths.js";

beforeAll(buildCli, 120_000);
afterAll(removeTempDirs);

const MAIN = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n";

describe("dagtest plan: clear words for odd input", () => {
  it.each([
    ["an empty dagtest.yaml", ""],
    ["a dagtest.yaml of comments only", "# nothing here yet\n\n"],
  ])("%s → DAGTEST_FILE_EMPTY with the smallest valid spec", (_what, text) => {
    const dir = writeTree(tempDir(), { "dagtest.yaml": text });
    const result = runCli(["plan", dir]);
    expectUserError(result, "DAGTEST_FILE_EMPTY");
    expect(result.stderr).toContain("dagtest.yaml is empty");
    expect(result.stderr).toContain("version: 1");
    expect(result.stderr).toContain("dag: pipeline.dag.json");
  });

  it("/dev/null as the spec → DAGTEST_FILE_EMPTY, not a JSON parser's words", () => {
    const result = runCli(["plan", "/dev/null"]);
    expectUserError(result, "DAGTEST_FILE_EMPTY");
    expect(result.stderr).toContain("/dev/null is empty");
    expect(result.stderr).not.toContain("JSON");
  });

  it("/dev/zero as the DAG → DAGTEST_FILE_TOO_LARGE, read only up to the limit", () => {
    const result = runCli(["plan", "--dag", "/dev/zero"]);
    expectUserError(result, "DAGTEST_FILE_TOO_LARGE");
    expect(result.stderr).toContain("The DAG file /dev/zero is more than 256 MB");
  });

  it("a spec with several problems lists every one with its own line", () => {
    const text = "dag: x.json\ncolour: blue\nrun:\n  timeout: -1\nnodes:\n  A: {skip: maybe}\n";
    const dir = writeTree(tempDir(), { "dagtest.yaml": text });
    const result = runCli(["plan", dir]);
    expectUserError(result, "DAGTEST_SPEC_INVALID");
    expect(result.stderr).toContain("dagtest.yaml has 4 problems:");
    expect(result.stderr).toContain("dagtest.yaml:1:1: version: missing");
    expect(result.stderr).toContain('dagtest.yaml:2:1: the top level: unknown field(s) "colour"');
    expect(result.stderr).toMatch(/dagtest\.yaml:4:\d+: run\.timeout: /);
    expect(result.stderr).toMatch(/dagtest\.yaml:6:\d+: nodes\.A\.skip: /);
    expect(result.stderr).not.toContain("more problem");
  });

  it("a folder given as a script is called a folder, not missing", () => {
    const dir = writeTree(tempDir(), {
      "dagtest.yaml": "version: 1\npipeline:\n  nodes:\n    train: {script: steps/train}\n",
      "steps/train/train.py": MAIN,
    });
    const result = runCli(["plan", dir]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      `${path.join(dir, "steps/train")} of node "train" is a folder, not a Python file`,
    );
    expect(result.stdout).not.toContain("does not exist");
  });
});

describe("dagtest plan: scripts and data outside the project", () => {
  it("warns with the resolved path for ../, absolute and symlinked scripts and for outside data", () => {
    const outside = writeTree(tempDir(), { "x.py": MAIN, "linked.py": MAIN, "data/part.csv": "a\n1\n" });
    const dir = writeTree(tempDir(), { "inside.py": MAIN });
    symlinkSync(path.join(outside, "linked.py"), path.join(dir, "link.py"));
    const up = path.relative(dir, path.join(outside, "x.py"));
    writeFileSync(
      path.join(dir, "dagtest.yaml"),
      [
        "version: 1",
        "pipeline:",
        "  nodes:",
        "    ok: {script: inside.py, outputs: [o]}",
        `    relative: {script: ${up}, inputs: [o]}`,
        `    absolute: {script: ${path.join(outside, "x.py")}}`,
        "    symlinked: {script: link.py, inputs: [raw]}",
        "  edges: [[ok, relative]]",
        "nodes:",
        `  symlinked: {inputs: {raw: ${path.join(outside, "data")}}}`,
        "",
      ].join("\n"),
    );
    const result = runCli(["plan", dir]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const warnings = result.stdout.split("\n").filter((l) => l.includes("DAGTEST_OUTSIDE_PROJECT"));
    expect(warnings).toHaveLength(4);
    expect(result.stdout).toContain(`Node "relative": its script resolves to ${path.join(outside, "x.py")}`);
    expect(result.stdout).toContain(`Node "absolute": its script resolves to ${path.join(outside, "x.py")}`);
    expect(result.stdout).toContain(
      `Node "symlinked": its script resolves to ${path.join(outside, "linked.py")}`,
    );
    expect(result.stdout).toContain(
      `Node "symlinked": the data of input raw resolves to ${path.join(outside, "data")}`,
    );
    expect(result.stdout).not.toContain('Node "ok"');
  });

  it("the bundled example has no such warning", () => {
    const result = runCli(["plan", "examples/tabular"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("DAGTEST_OUTSIDE_PROJECT");
  });
});

describe("dagtest plan: DAG size", () => {
  function dagFile(nodes: number, hub: boolean): string {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const names = Array.from({ length: nodes }, (_, i) => `n${i}`);
    const edges = hub ? names.slice(1).map((n) => ["n0", n]) : [];
    const file = path.join(dir, "big.dag.json");
    writeFileSync(file, JSON.stringify({ nodes: names, edges }));
    return file;
  }

  it("250,000 nodes are refused at once with DAGTEST_DAG_TOO_LARGE, not a stack overflow", () => {
    const started = performance.now();
    const result = runCli(["plan", "--dag", dagFile(250_000, false)]);
    expectUserError(result, "DAGTEST_DAG_TOO_LARGE");
    expect(result.stderr).toContain("The DAG has 250,000 nodes; dagtest plans at most 50,000 nodes");
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("a DAG at the limit, one node feeding all the others, plans (every node a phantom here)", () => {
    const result = runCli(["plan", "--dag", dagFile(MAX_DAG_NODES, true)], undefined, 120_000);
    expect(result.stderr).not.toContain("internal error");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`dagtest plan: ${MAX_DAG_NODES} nodes`);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(`Not ready: ${MAX_DAG_NODES} error(s).`);
  }, 150_000);
});

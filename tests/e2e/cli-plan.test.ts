/**
 * The built `dagtest plan` CLI, spawned as a user would: exit codes, the readable report, --json,
 * and user errors printed as code + message + file:line + hint, never with a stack trace.
 */
import type { SpawnSyncReturns } from "node:child_process";
import { chmodSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, expectUserError, runCli } from "../helpers/cli.js";
import { exampleFileFlags } from "../helpers/factory.js";
import { fixture, removeTempDirs, repoRoot, tempDir, writeTree } from "../helpers/paths.js";

const _cli = path.join(repoRoot, "dist/cli/main.js");
const example = path.join(repoRoot, "examples/tabular");

// Builds dist/ when a source is newer, under a lock shared with the other e2e files.
beforeAll(buildCli, 120_000);

afterAll(removeTempDirs);

function dagtest(args: string[], cwd = repoRoot): SpawnSyncReturns<string> {
  return runCli(args, cwd);
}

function writeFile(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

describe("dagtest plan: good input", () => {
  it("prints a readable report of the bundled example and exits 0", () => {
    const result = dagtest(["plan", "examples/tabular"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("dagtest plan: 11 nodes, 8 scripts, 3 phantoms");
    expect(result.stdout).toMatch(
      /^ {2}● RiskTableMapping_calibration {2}\[RiskTableMapping · job type calibration · variant calibration\]$/m,
    );
    expect(result.stdout).toMatch(/^ {2}○ Registration /m);
    expect(result.stdout).toContain("LABEL_FIELD=is_fraud (config label_field)");
    expect(result.stdout).toMatch(/Ready: 8 scripts can run/);
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("--json prints the plan, planVersion 1", () => {
    const result = dagtest(["plan", "examples/tabular/dagtest.yaml", "--json"]);
    expect(result.status, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      planVersion: number;
      order: string[];
      summary: { ready: boolean };
    };
    expect(plan.planVersion).toBe(1);
    expect(plan.order).toHaveLength(11);
    expect(plan.order[0]).toBe("CradleDataLoading_training");
    expect(plan.summary.ready).toBe(true);
  });

  it("finds ./dagtest.yaml when no PATH is given", () => {
    const result = dagtest(["plan"], fixture("diamond"));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("dagtest plan: 4 nodes, 4 scripts, 0 phantoms, 4 wires");
    expect(result.stdout).toMatch(/^ {3}2 {2}left, right$/m);
  });

  it("plans straight from files with --dag/--config/--interfaces/--scripts", () => {
    const result = dagtest(["plan", ...exampleFileFlags, "--scripts", "src"], example);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("(search-fallback)");
  });

  it("open questions alone do not fail the command, but are shown with where to answer", () => {
    const result = dagtest(["plan", fixture("missing-producer")]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("Open questions (1)");
    expect(result.stdout).toContain("answer in dagtest.yaml: nodes.train.inputs.labels: <path>");
    expect(result.stdout).toContain("Not ready: 1 open question(s).");
  });
});

describe("dagtest plan: bad input exits 2 with code, location and hint", () => {
  it("malformed JSON → DAGTEST_PARSE_ERROR at the line of the trailing comma", () => {
    const file = writeFile("bad.dag.json", '{\n  "nodes": [\n    "a",\n    "b",\n  ],\n  "edges": []\n}\n');
    const result = dagtest(["plan", "--dag", file]);
    expectUserError(result, "DAGTEST_PARSE_ERROR");
    expect(result.stderr).toContain(`at ${file}:5:3`);
  });

  it("malformed YAML → DAGTEST_PARSE_ERROR at its line", () => {
    const dir = writeTree(tempDir(), { "dagtest.yaml": "version: 1\ndag: x.json\nconfig: a: b\n" });
    const result = dagtest(["plan", dir]);
    expectUserError(result, "DAGTEST_PARSE_ERROR");
    expect(result.stderr).toContain(`at ${path.join(dir, "dagtest.yaml")}:3:9`);
  });

  it("a cycle → DAGTEST_CYCLE printed as a path, located in dagtest.yaml", () => {
    const result = dagtest(["plan", fixture("cycle")]);
    expectUserError(result, "DAGTEST_CYCLE");
    expect(result.stderr).toContain("a → b → c → a");
    expect(result.stderr).toMatch(new RegExp(`at ${path.join(fixture("cycle"), "dagtest.yaml")}:\\d+:\\d+`));
  });

  it("an edge to an unknown node → DAGTEST_UNKNOWN_EDGE_NODE with a did-you-mean", () => {
    const file = writeFile(
      "typo.dag.json",
      '{"dag": {\n  "nodes": ["Package", "Registration"],\n  "edges": [["Pakage", "Registration"]]\n}}\n',
    );
    const result = dagtest(["plan", "--dag", file]);
    expectUserError(result, "DAGTEST_UNKNOWN_EDGE_NODE");
    expect(result.stderr).toContain('Did you mean "Package"?');
    expect(result.stderr).toContain(`at ${file}:3:`);
  });

  it("a missing interface folder → DAGTEST_INTERFACE_DIR_NOT_FOUND", () => {
    const missing = path.join(tempDir(), "no-interfaces");
    const result = dagtest(["plan", "--dag", "pipeline.dag.json", "--interfaces", missing], example);
    expectUserError(result, "DAGTEST_INTERFACE_DIR_NOT_FOUND");
    expect(result.stderr).toContain(missing);
  });

  it("a missing file → DAGTEST_FILE_NOT_FOUND; a folder where a file belongs → DAGTEST_FILE_UNREADABLE", () => {
    expectUserError(dagtest(["plan", "--dag", path.join(tempDir(), "nope.json")]), "DAGTEST_FILE_NOT_FOUND");
    const result = dagtest(["plan", "--dag", "pipeline.dag.json", "--config", "interfaces"], example);
    expectUserError(result, "DAGTEST_FILE_UNREADABLE");
    expect(result.stderr).toContain("is a directory");
  });

  // Tests run as root here, and root reads a chmod-000 file anyway: the folder case above covers it.
  it.skipIf(process.getuid?.() === 0)(
    "an unreadable file (chmod 000) → DAGTEST_FILE_UNREADABLE (not run as root)",
    () => {
      const file = writeFile("locked.dag.json", '{"nodes": ["a"]}');
      chmodSync(file, 0o000);
      expectUserError(dagtest(["plan", "--dag", file]), "DAGTEST_FILE_UNREADABLE");
    },
  );

  it.each([
    ["a slash", "data/raw"],
    ["a backslash", "data\\raw"],
    ["a parent reference", ".."],
  ])("a node name with %s → DAGTEST_BAD_NODE_NAME at its line", (_what, name) => {
    const file = writeFile(
      "names.dag.json",
      `{\n  "nodes": [\n    "ok",\n    ${JSON.stringify(name)}\n  ]\n}\n`,
    );
    const result = dagtest(["plan", "--dag", file]);
    expectUserError(result, "DAGTEST_BAD_NODE_NAME");
    expect(result.stderr).toContain(`at ${file}:4:5`);
  });

  it("a bad node name in a plain pipeline → DAGTEST_BAD_NODE_NAME", () => {
    const dir = writeTree(tempDir(), {
      "dagtest.yaml":
        "version: 1\npipeline:\n  nodes:\n    ok: {script: a.py}\n    ../escape: {script: a.py}\n",
    });
    const result = dagtest(["plan", dir]);
    expectUserError(result, "DAGTEST_BAD_NODE_NAME");
    expect(result.stderr).toContain(`at ${path.join(dir, "dagtest.yaml")}:5:5`);
  });

  it("PATH and --dag together → DAGTEST_USAGE", () => {
    expectUserError(dagtest(["plan", "examples/tabular", "--dag", "x.json"]), "DAGTEST_USAGE");
  });

  it("with --json, a user error is printed as JSON on stdout", () => {
    const result = dagtest(["plan", fixture("cycle"), "--json"]);
    expect(result.status).toBe(2);
    const { error } = JSON.parse(result.stdout) as {
      error: { code: string; hint: string; location: { file: string } };
    };
    expect(error.code).toBe("DAGTEST_CYCLE");
    expect(error.hint.length).toBeGreaterThan(0);
    expect(error.location.file).toBe(path.join(fixture("cycle"), "dagtest.yaml"));
  });
});

describe("dagtest plan: plans with errors exit 1 and still print the plan", () => {
  it("a config without an entry for a node → DAGTEST_NO_CONFIG_ENTRY in the report", () => {
    const dir = tempDir();
    cpSync(example, dir, { recursive: true });
    const configFile = path.join(dir, "pipeline_config/config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as {
      configuration: { specific: Record<string, unknown> };
      metadata: { config_types: Record<string, unknown> };
    };
    delete config.configuration.specific.Package;
    delete config.metadata.config_types.Package;
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const text = dagtest(["plan", dir]);
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toContain(
      'error DAGTEST_NO_CONFIG_ENTRY The pipeline config has no entry for node "Package"',
    );
    expect(text.stdout).toContain('hint: Add "Package" to configuration.specific');
    expect(text.stdout).toContain("● SklearnTraining");
    const json = dagtest(["plan", dir, "--json"]);
    expect(json.status).toBe(1);
    const plan = JSON.parse(json.stdout) as { problems: { code: string; node: string }[] };
    expect(plan.problems).toContainEqual(
      expect.objectContaining({ code: "DAGTEST_NO_CONFIG_ENTRY", node: "Package" }),
    );
  });

  it("a script with a syntax error: exit 1, that node marked, the rest printed", () => {
    const dir = tempDir();
    cpSync(fixture("linear"), dir, { recursive: true });
    writeFileSync(
      path.join(dir, "scripts/transform.py"),
      "def main(input_paths, output_paths, environ_vars, job_args):\n    x = (\n",
    );
    const result = dagtest(["plan"], dir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /error DAGTEST_SCRIPT_SYNTAX The script of node "transform" cannot be parsed/,
    );
    // Paths in the report are relative to the working directory.
    expect(result.stdout).toContain("at scripts/transform.py:2:");
    for (const node of ["extract", "transform", "load"]) expect(result.stdout).toContain(`● ${node}`);
    expect(result.stdout).toContain("Not ready: 1 error(s).");
  });
});
